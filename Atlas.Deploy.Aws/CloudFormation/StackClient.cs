using System.Text.Json.Nodes;

namespace Atlas.Deploy.Aws.CloudFormation;

/// <summary>The CloudFormation and S3 calls a deployment makes, through <see cref="AwsCli"/>.</summary>
public sealed class StackClient(AwsCli aws)
{
    /// <summary>The stack, or null when there is none of that name.</summary>
    public async Task<StackInfo?> DescribeAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var result = await aws.RunAsync(["cloudformation", "describe-stacks", "--stack-name", name], cancellationToken);
            return result?["Stacks"]?.AsArray().Select(Parse).FirstOrDefault();
        }
        catch (AwsCliException ex) when (ex.Code == "ValidationError" && ex.Message.Contains("does not exist", StringComparison.Ordinal))
        {
            return null;
        }
    }

    /// <summary>Every stack that carries the tag <paramref name="tag"/>, by name.</summary>
    public async Task<IReadOnlyList<StackInfo>> ListTaggedAsync(string tag, CancellationToken cancellationToken)
    {
        var result = await aws.RunAsync(["cloudformation", "describe-stacks"], cancellationToken);
        return [.. (result?["Stacks"]?.AsArray() ?? []).Select(Parse).Where(s => s.Tags.ContainsKey(tag)).OrderBy(s => s.Name, StringComparer.Ordinal)];
    }

    public Task CreateAsync(string name, string templateFile, IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, string> tags,
        CancellationToken cancellationToken) =>
        aws.RunAsync(ChangeArguments("create-stack", name, templateFile, parameters, tags), cancellationToken);

    /// <summary>Updates the stack; false when CloudFormation says nothing would change.</summary>
    public async Task<bool> UpdateAsync(string name, string templateFile, IReadOnlyDictionary<string, string> parameters,
        IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        try
        {
            await aws.RunAsync(ChangeArguments("update-stack", name, templateFile, parameters, tags), cancellationToken);
            return true;
        }
        catch (AwsCliException ex) when (ex.Code == "ValidationError" && ex.Message.Contains("No updates are to be performed", StringComparison.Ordinal))
        {
            return false;
        }
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        aws.RunAsync(["cloudformation", "delete-stack", "--stack-name", name], cancellationToken);

    /// <summary>The stack's events, newest first.</summary>
    public async Task<IReadOnlyList<StackEvent>> EventsAsync(string name, CancellationToken cancellationToken)
    {
        var result = await aws.RunAsync(["cloudformation", "describe-stack-events", "--stack-name", name], cancellationToken);
        return [.. (result?["StackEvents"]?.AsArray() ?? []).Select(e => new StackEvent(
            (string?)e?["LogicalResourceId"] ?? "", (string?)e?["ResourceType"] ?? "", (string?)e?["ResourceStatus"] ?? "", (string?)e?["ResourceStatusReason"]))];
    }

    /// <summary>The first resource that failed in the stack's last attempt, with its reason; null when none did.</summary>
    public async Task<StackEvent?> FirstFailureAsync(string name, CancellationToken cancellationToken)
    {
        var events = await EventsAsync(name, cancellationToken);
        // Newest first: the oldest failure is the cause; the ones after it are cancellations it led to.
        return events.Where(e => e.Status.EndsWith("_FAILED", StringComparison.Ordinal) && e.ResourceType != "AWS::CloudFormation::Stack")
            .LastOrDefault(e => e.Reason is null || !e.Reason.Contains("Resource creation cancelled", StringComparison.Ordinal))
            ?? events.LastOrDefault(e => e.Status.EndsWith("_FAILED", StringComparison.Ordinal));
    }

    /// <summary>A resource's physical id once it is created; null before.</summary>
    public async Task<string?> CreatedResourceAsync(string name, string logicalId, CancellationToken cancellationToken)
    {
        try
        {
            var result = await aws.RunAsync(["cloudformation", "describe-stack-resource", "--stack-name", name, "--logical-resource-id", logicalId], cancellationToken);
            var detail = result?["StackResourceDetail"];
            return (string?)detail?["ResourceStatus"] is "CREATE_COMPLETE" or "UPDATE_COMPLETE" ? (string?)detail?["PhysicalResourceId"] : null;
        }
        catch (AwsCliException ex) when (ex.Code == "ValidationError")
        {
            return null;
        }
    }

    /// <summary>Copies a folder's files to <c>s3://bucket/prefix/</c> (only what changed).</summary>
    public Task UploadAsync(string folder, string bucket, string prefix, CancellationToken cancellationToken) =>
        aws.RunAsync(["s3", "sync", "--only-show-errors", folder, $"s3://{bucket}/{prefix}/"], cancellationToken);

    /// <summary>Deletes every object of the bucket, so the stack can delete the bucket.</summary>
    public Task EmptyBucketAsync(string bucket, CancellationToken cancellationToken) =>
        aws.RunAsync(["s3", "rm", "--recursive", "--only-show-errors", $"s3://{bucket}"], cancellationToken);

    private static string[] ChangeArguments(string action, string name, string templateFile, IReadOnlyDictionary<string, string> parameters,
        IReadOnlyDictionary<string, string> tags) =>
    [
        "cloudformation", action, "--stack-name", name,
        "--template-body", "file://" + templateFile,
        "--capabilities", "CAPABILITY_IAM",
        "--parameters", new JsonArray([.. parameters.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => (JsonNode)new JsonObject { ["ParameterKey"] = p.Key, ["ParameterValue"] = p.Value })]).ToJsonString(),
        "--tags", new JsonArray([.. tags.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => (JsonNode)new JsonObject { ["Key"] = p.Key, ["Value"] = p.Value })]).ToJsonString(),
    ];

    private static StackInfo Parse(JsonNode? stack) => new(
        (string?)stack?["StackName"] ?? "",
        (string?)stack?["StackStatus"] ?? "",
        (string?)stack?["StackStatusReason"],
        Pairs(stack?["Outputs"], "OutputKey", "OutputValue"),
        Pairs(stack?["Tags"], "Key", "Value"));

    private static Dictionary<string, string> Pairs(JsonNode? list, string key, string value) =>
        (list?.AsArray() ?? []).Where(p => p?[key] is not null)
            .GroupBy(p => (string)p![key]!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (string?)g.Last()![value] ?? "", StringComparer.Ordinal);
}
