using System.Text.Json;
using Json.Schema;
using Atlas.Testing;

namespace Atlas.AppHost.Tests.Publishing;

/// <summary>Publish mode: the Aspire manifest azd reads (azure.yaml points at the AppHost).</summary>
public sealed class ManifestTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TempFolder _output = new("atlas-manifest");

    public void Dispose() => _output.Dispose();

    [Fact]
    public async Task Publish_TwoRuns_ByteIdenticalManifestWithRedisContainerAndProjects()
    {
        var first = await PublishAsync("a");
        var second = await PublishAsync("b");

        second.ShouldBe(first);
        using var manifest = JsonDocument.Parse(first);
        var resources = manifest.RootElement.GetProperty("resources");
        resources.GetProperty("redis").GetProperty("type").GetString().ShouldBe("container.v0");
        foreach (var name in new[] { "master", "worker-1", "worker-2", "gateway", "dashboard" })
        {
            resources.GetProperty(name).GetProperty("type").GetString().ShouldBe("project.v0", name);
        }
        resources.GetProperty("gateway").GetProperty("env").GetProperty("services__master__http__0").GetString().ShouldBe("{master.bindings.http.url}");
        resources.GetProperty("dashboard").GetProperty("env").GetProperty("services__gateway__http__0").GetString().ShouldBe("{gateway.bindings.http.url}");
    }

    [Fact]
    public async Task PublishManifest_Manifest_ValidatesAgainstAspireSchemaAndAzureYamlNamesTheAppHost()
    {
        var manifest = await PublishAsync("a");

        var schema = JsonSchema.FromFile(Path.Combine(AppContext.BaseDirectory, "Publishing", "TestData", "aspire-8.0.json"));
        using var document = JsonDocument.Parse(manifest);
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        result.IsValid.ShouldBeTrue(string.Join("\n", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        document.RootElement.GetProperty("resources").EnumerateObject().Select(r => r.Name).ShouldContain("telemetry");
        // The schema is really checked: a container without its image is refused.
        var broken = System.Text.Json.Nodes.JsonNode.Parse(manifest)!;
        broken["resources"]!["redis"]!.AsObject().Remove("image");
        using var brokenDocument = JsonDocument.Parse(broken.ToJsonString());
        schema.Evaluate(brokenDocument.RootElement).IsValid.ShouldBeFalse();
        var azure = await File.ReadAllTextAsync(_output.Combine("a", "azure.yaml"), Ct);
        azure.ShouldContain("Atlas.AppHost/Atlas.AppHost.csproj\"\n");
        azure.ShouldContain("host: containerapps\n");
    }

    private async Task<byte[]> PublishAsync(string folder)
    {
        var path = _output.Combine(folder);
        await AppHostPublish.RunAsync(typeof(ManifestTests).Assembly, "publish-manifest", path, null, Ct);
        return await File.ReadAllBytesAsync(Path.Combine(path, "aspire-manifest.json"), Ct);
    }
}
