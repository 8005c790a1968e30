using System.Collections.Concurrent;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Atlas.Cli.Tests.Commands.Deploy;

/// <summary>
/// A stand-in for AWS on a loopback port, because no AWS endpoint can be reached here: it speaks
/// the few CloudFormation query-API actions and S3 REST calls that the real awscli makes for
/// <c>atlas deploy aws</c>, plus the caller-address echo. Stacks change state as CloudFormation's
/// do (in progress on one look, complete on the next); it checks no signature and runs nothing.
/// Whether AWS itself accepts the template is what cfn-lint checks (Ec2TemplateTests).
/// </summary>
internal sealed class StandInAws : IAsyncDisposable
{
    private static readonly XNamespace Cfn = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly WebApplication _app;
    private readonly Lock _lock = new();

    private StandInAws(WebApplication app) => _app = app;

    public string Url => _app.Urls.First();

    /// <summary>Every call, in order: the CloudFormation action, or <c>S3 METHOD /path</c>, or <c>checkip</c>.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public Dictionary<string, Stack> Stacks { get; } = new(StringComparer.Ordinal);

    /// <summary>Objects by bucket, then key.</summary>
    public Dictionary<string, Dictionary<string, byte[]>> Buckets { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, the next stack created rolls back because this resource failed with this reason.</summary>
    public (string Resource, string Type, string Reason)? FailNextCreate { get; set; }

    public sealed class Stack
    {
        public required string Name { get; init; }

        public string Status { get; set; } = "CREATE_IN_PROGRESS";

        /// <summary>The status it reaches the next time it is described.</summary>
        public string? Next { get; set; }

        public string Template { get; set; } = "";

        public Dictionary<string, string> Parameters { get; set; } = [];

        public Dictionary<string, string> Tags { get; set; } = [];

        public string Bucket { get; init; } = "";

        public List<(string Resource, string Type, string Status, string? Reason)> Events { get; } = [];

        public bool Settled => !Status.EndsWith("_IN_PROGRESS", StringComparison.Ordinal);
    }

    public static async Task<StandInAws> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var self = new StandInAws(app);
        app.MapGet("/checkip", () =>
        {
            self.Calls.Enqueue("checkip");
            return "203.0.113.7\n";
        });
        app.MapPost("/", self.CloudFormationAsync);
        app.Map("/{bucket}/{**key}", self.S3Async);
        await app.StartAsync();
        return self;
    }

    /// <summary>Adds a stack that exists already (another tool's, or one left behind).</summary>
    public Stack Seed(string name, string status, Dictionary<string, string>? tags = null)
    {
        var stack = new Stack { Name = name, Status = status, Tags = tags ?? [], Bucket = name.ToLowerInvariant() + "-artifactsbucket-seeded" };
        lock (_lock)
        {
            Stacks[name] = stack;
            Buckets[stack.Bucket] = [];
        }
        return stack;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task<IResult> CloudFormationAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var action = form["Action"].ToString();
        Calls.Enqueue(action);
        var name = form["StackName"].ToString();
        lock (_lock)
        {
            Stacks.TryGetValue(name, out var stack);
            switch (action)
            {
                case "DescribeStacks":
                    if (name.Length > 0 && stack is null)
                    {
                        return Error("ValidationError", $"Stack with id {name} does not exist");
                    }
                    foreach (var s in Stacks.Values)
                    {
                        Advance(s);
                    }
                    var shown = name.Length > 0 ? [stack!] : Stacks.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
                    return Ok(action, new XElement(Cfn + "Stacks", shown.Where(s => Stacks.ContainsKey(s.Name)).Select(Describe)));
                case "CreateStack":
                    if (stack is not null)
                    {
                        return Error("AlreadyExistsException", $"Stack [{name}] already exists");
                    }
                    stack = new Stack
                    {
                        Name = name,
                        Template = form["TemplateBody"].ToString(),
                        Parameters = Members(form, "Parameters", "ParameterKey", "ParameterValue"),
                        Tags = Members(form, "Tags", "Key", "Value"),
                        Bucket = name.ToLowerInvariant() + "-artifactsbucket-1a2b3c",
                    };
                    Stacks[name] = stack;
                    Buckets[stack.Bucket] = [];
                    if (FailNextCreate is { } failure)
                    {
                        FailNextCreate = null;
                        stack.Events.Add((failure.Resource, failure.Type, "CREATE_FAILED", failure.Reason));
                        stack.Events.Add(("ArtifactsBucket", "AWS::S3::Bucket", "CREATE_FAILED", "Resource creation cancelled"));
                        stack.Next = "ROLLBACK_COMPLETE";
                    }
                    else
                    {
                        stack.Next = "CREATE_COMPLETE";
                    }
                    return Ok(action, new XElement(Cfn + "StackId", $"arn:aws:cloudformation:us-east-1:123456789012:stack/{name}/1"));
                case "UpdateStack":
                    if (stack is null)
                    {
                        return Error("ValidationError", $"Stack [{name}] does not exist");
                    }
                    var template = form["TemplateBody"].ToString();
                    var parameters = Members(form, "Parameters", "ParameterKey", "ParameterValue");
                    var tags = Members(form, "Tags", "Key", "Value");
                    if (template == stack.Template && Same(parameters, stack.Parameters) && Same(tags, stack.Tags))
                    {
                        return Error("ValidationError", "No updates are to be performed.");
                    }
                    (stack.Template, stack.Parameters, stack.Tags, stack.Status, stack.Next) = (template, parameters, tags, "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE");
                    return Ok(action, new XElement(Cfn + "StackId", name));
                case "DeleteStack":
                    if (stack is not null)
                    {
                        if (Buckets.TryGetValue(stack.Bucket, out var objects) && objects.Count > 0)
                        {
                            stack.Events.Insert(0, ("ArtifactsBucket", "AWS::S3::Bucket", "DELETE_FAILED", "The bucket you tried to delete is not empty"));
                            (stack.Status, stack.Next) = ("DELETE_IN_PROGRESS", "DELETE_FAILED");
                        }
                        else
                        {
                            Stacks.Remove(name);
                            Buckets.Remove(stack.Bucket);
                        }
                    }
                    return Ok(action, null);
                case "DescribeStackEvents":
                    if (stack is null)
                    {
                        return Error("ValidationError", $"Stack [{name}] does not exist");
                    }
                    // Newest first, as CloudFormation lists them.
                    return Ok(action, new XElement(Cfn + "StackEvents", Enumerable.Reverse(stack.Events).Select((e, i) => new XElement(Cfn + "member",
                        new XElement(Cfn + "EventId", i), new XElement(Cfn + "StackName", name), new XElement(Cfn + "LogicalResourceId", e.Resource),
                        new XElement(Cfn + "ResourceType", e.Type), new XElement(Cfn + "Timestamp", "2026-12-01T00:00:00Z"),
                        new XElement(Cfn + "ResourceStatus", e.Status), e.Reason is null ? null : new XElement(Cfn + "ResourceStatusReason", e.Reason)))));
                case "DescribeStackResource":
                    if (stack is null || form["LogicalResourceId"] != "ArtifactsBucket")
                    {
                        return Error("ValidationError", $"Resource {form["LogicalResourceId"]} does not exist for stack {name}");
                    }
                    return Ok(action, new XElement(Cfn + "StackResourceDetail",
                        new XElement(Cfn + "StackName", name), new XElement(Cfn + "LogicalResourceId", "ArtifactsBucket"),
                        new XElement(Cfn + "PhysicalResourceId", stack.Bucket), new XElement(Cfn + "ResourceType", "AWS::S3::Bucket"),
                        new XElement(Cfn + "LastUpdatedTimestamp", "2026-12-01T00:00:00Z"), new XElement(Cfn + "ResourceStatus", "CREATE_COMPLETE")));
                default:
                    return Error("InvalidAction", $"the stand-in does not know {action}");
            }
        }
    }

    private async Task<IResult> S3Async(HttpRequest request, string bucket, string? key)
    {
        Calls.Enqueue($"S3 {request.Method} /{bucket}/{key}");
        byte[] body = [];
        if (request.Method == "PUT")
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            body = buffer.ToArray();
        }
        lock (_lock)
        {
            if (!Buckets.TryGetValue(bucket, out var objects))
            {
                return Results.Content($"<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>{bucket}</BucketName></Error>",
                    "application/xml", statusCode: 404);
            }
            switch (request.Method)
            {
                case "PUT" when key is not null:
                    objects[key] = body;
                    return Results.Ok();
                case "DELETE" when key is not null:
                    objects.Remove(key);
                    return Results.NoContent();
                case "GET" when string.IsNullOrEmpty(key):
                    var prefix = request.Query["prefix"].ToString();
                    var listed = objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
                    var list = new XElement(S3 + "ListBucketResult",
                        new XElement(S3 + "Name", bucket), new XElement(S3 + "Prefix", prefix), new XElement(S3 + "KeyCount", listed.Count),
                        new XElement(S3 + "MaxKeys", 1000), new XElement(S3 + "IsTruncated", "false"),
                        listed.Select(o => new XElement(S3 + "Contents", new XElement(S3 + "Key", o.Key),
                            new XElement(S3 + "LastModified", "2026-12-01T00:00:00.000Z"), new XElement(S3 + "ETag", "\"0\""),
                            new XElement(S3 + "Size", o.Value.Length), new XElement(S3 + "StorageClass", "STANDARD"))));
                    return Results.Content(list.ToString(), "application/xml");
                default:
                    return Results.Content("<Error><Code>NotImplemented</Code><Message>not in the stand-in</Message></Error>", "application/xml", statusCode: 501);
            }
        }
    }

    private static void Advance(Stack stack)
    {
        if (!stack.Settled && stack.Next is { } next)
        {
            stack.Status = next;
            stack.Next = null;
        }
    }

    private static XElement Describe(Stack s)
    {
        const string host = "ec2-203-0-113-10.compute-1.amazonaws.com";
        var outputs = s.Status is "CREATE_COMPLETE" or "UPDATE_COMPLETE" or "DELETE_FAILED"
            ? new Dictionary<string, string>
            {
                ["GatewayUrl"] = $"http://{host}:5558",
                ["DashboardUrl"] = $"http://{host}:5555",
                ["AtlasVersion"] = s.Parameters.GetValueOrDefault("AtlasVersion", "0.0.1"),
                ["ArtifactsBucketName"] = s.Bucket,
            }
            : [];
        return new XElement(Cfn + "member",
            new XElement(Cfn + "StackId", $"arn:aws:cloudformation:us-east-1:123456789012:stack/{s.Name}/1"),
            new XElement(Cfn + "StackName", s.Name),
            new XElement(Cfn + "CreationTime", "2026-12-01T00:00:00Z"),
            new XElement(Cfn + "StackStatus", s.Status),
            new XElement(Cfn + "Outputs", outputs.Select(o => new XElement(Cfn + "member", new XElement(Cfn + "OutputKey", o.Key), new XElement(Cfn + "OutputValue", o.Value)))),
            new XElement(Cfn + "Tags", s.Tags.Select(t => new XElement(Cfn + "member", new XElement(Cfn + "Key", t.Key), new XElement(Cfn + "Value", t.Value)))));
    }

    private static Dictionary<string, string> Members(IFormCollection form, string list, string key, string value)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; form.ContainsKey($"{list}.member.{i}.{key}"); i++)
        {
            result[form[$"{list}.member.{i}.{key}"].ToString()] = form[$"{list}.member.{i}.{value}"].ToString();
        }
        return result;
    }

    private static bool Same(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);

    private static IResult Ok(string action, XElement? result)
    {
        var response = new XElement(Cfn + (action + "Response"),
            result is null ? null : new XElement(Cfn + (action + "Result"), result),
            new XElement(Cfn + "ResponseMetadata", new XElement(Cfn + "RequestId", "stand-in")));
        return Results.Content(response.ToString(), "text/xml");
    }

    private static IResult Error(string code, string message) =>
        Results.Content(new XElement(Cfn + "ErrorResponse",
            new XElement(Cfn + "Error", new XElement(Cfn + "Type", "Sender"), new XElement(Cfn + "Code", code), new XElement(Cfn + "Message", message)),
            new XElement(Cfn + "RequestId", "stand-in")).ToString(), "text/xml", statusCode: 400);
}
