namespace Atlas.Deploy.Aws.CloudFormation;

/// <summary>One of a stack's events: which resource went into which status, and why.</summary>
public sealed record StackEvent(string LogicalResourceId, string ResourceType, string Status, string? Reason);
