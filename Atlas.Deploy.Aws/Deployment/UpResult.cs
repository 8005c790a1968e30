using Atlas.Deploy.Aws.CloudFormation;

namespace Atlas.Deploy.Aws.Deployment;

/// <summary>How <c>up</c> ended: the stack as it stands, and whether it was created, changed or left as it was.</summary>
/// <param name="Stack">The stack after <c>up</c>.</param>
/// <param name="Created">Whether <c>up</c> created it.</param>
/// <param name="Changed">Whether anything changed (false: CloudFormation had nothing to update).</param>
/// <param name="PreviousVersion">The Atlas version the stack had before an update; null for a new stack.</param>
public sealed record UpResult(StackInfo Stack, bool Created, bool Changed, string? PreviousVersion);
