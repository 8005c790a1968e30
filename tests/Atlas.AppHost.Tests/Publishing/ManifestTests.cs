using System.Text.Json;
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
        foreach (var name in new[] { "master", "worker-1", "worker-2", "gateway" })
        {
            resources.GetProperty(name).GetProperty("type").GetString().ShouldBe("project.v0", name);
        }
        resources.GetProperty("gateway").GetProperty("env").GetProperty("services__master__http__0").GetString().ShouldBe("{master.bindings.http.url}");
    }

    private async Task<byte[]> PublishAsync(string folder)
    {
        var path = _output.Combine(folder);
        await AppHostPublish.RunAsync(typeof(ManifestTests).Assembly, "publish-manifest", path, null, Ct);
        return await File.ReadAllBytesAsync(Path.Combine(path, "aspire-manifest.json"), Ct);
    }
}
