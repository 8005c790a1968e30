using System.Text.Json.Nodes;

namespace Atlas.Deploy.Aws.Templates;

/// <summary>CloudFormation's intrinsic functions as JSON nodes.</summary>
internal static class Fn
{
    public static JsonObject Ref(string name) => new() { ["Ref"] = name };

    public static JsonObject GetAtt(string resource, string attribute) => new() { ["Fn::GetAtt"] = new JsonArray(resource, attribute) };

    /// <summary><c>Fn::Sub</c>: <c>${Name}</c> and <c>${Resource.Attribute}</c> are substituted; <c>${!x}</c> is a literal <c>${x}</c>.</summary>
    public static JsonObject Sub(string text) => new() { ["Fn::Sub"] = text };

    public static JsonObject Base64(JsonNode value) => new() { ["Fn::Base64"] = value };

    public static JsonObject If(string condition, JsonNode whenTrue, JsonNode whenFalse) =>
        new() { ["Fn::If"] = new JsonArray(condition, whenTrue, whenFalse) };

    public static JsonObject Equals(JsonNode left, JsonNode right) => new() { ["Fn::Equals"] = new JsonArray(left, right) };

    public static JsonObject Not(JsonNode condition) => new() { ["Fn::Not"] = new JsonArray(condition) };

    public static JsonObject FirstAvailabilityZone() =>
        new() { ["Fn::Select"] = new JsonArray(0, new JsonObject { ["Fn::GetAZs"] = "" }) };

    /// <summary>A tag list: <c>[{Key, Value}]</c>, values literal or intrinsic.</summary>
    public static JsonArray Tags(params (string Key, JsonNode Value)[] tags) =>
        [.. tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value })];

    /// <summary>The tag every resource of the cluster carries; the master manages only instances with its value.</summary>
    public static (string, JsonNode) ClusterTag() => (TemplateNames.ClusterTag, Ref("AWS::StackName"));

    public static (string, JsonNode) NameTag(string suffix) => ("Name", Sub("${AWS::StackName}-" + suffix));
}
