namespace Atlas.Deploy.Aws.CloudFormation;

/// <summary>A stack as CloudFormation describes it.</summary>
public sealed record StackInfo(
    string Name,
    string Status,
    string? Reason,
    IReadOnlyDictionary<string, string> Outputs,
    IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>Still changing: wait for it.</summary>
    public bool InProgress => Status.EndsWith("_IN_PROGRESS", StringComparison.Ordinal);

    /// <summary>Created and then rolled back: it holds nothing and can only be deleted.</summary>
    public bool RolledBackAtCreate => Status is "ROLLBACK_COMPLETE" or "ROLLBACK_FAILED";

    /// <summary>Its last change did not take.</summary>
    public bool Failed => Status.EndsWith("_FAILED", StringComparison.Ordinal) || Status is "ROLLBACK_COMPLETE" or "UPDATE_ROLLBACK_COMPLETE";

    public string? Output(string key) => Outputs.TryGetValue(key, out var value) ? value : null;
}
