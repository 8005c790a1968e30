using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Atlas.AppHost.Model;
using Atlas.AppHost.Options;
using Atlas.AppHost.Publishing;
using Atlas.AppHost.Resources;
using Atlas.Core;
using Atlas.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Atlas.AppHost.Tests.Publishing;

/// <summary>
/// The publishing seam in process: the published app model with one more resource, described by
/// <see cref="ServiceCatalog"/> and written by each target, shows that a resource added to the model
/// reaches every target without the targets naming it.
/// </summary>
public sealed class ServiceCatalogTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TempFolder _output = new("atlas-catalog");

    public void Dispose() => _output.Dispose();

    [Fact]
    public async Task Describe_ResourceAddedToModel_ReachesComposeAndBareMetal()
    {
        var (services, secrets, repoRoot) = await DescribeAsync(builder =>
            builder.AddContainer("extra", "example.org/extra", "1.0")
                .WithHttpEndpoint(port: 7000, targetPort: 7000)
                .WithEnvironment("EXTRA_SETTING", "on"));

        var extra = services.Single(s => s.Name == "extra");
        extra.Role.ShouldBe(ServiceRole.Service);
        extra.Endpoints.Single().TargetPort.ShouldBe(7000);

        await ComposeTarget.WriteAsync(services, secrets, repoRoot, _output.Path, Ct);
        await BareMetalTarget.WriteAsync(services, secrets, repoRoot, _output.Path, Ct);
        var compose = await File.ReadAllTextAsync(_output.Combine("compose", ComposeTarget.FileName), Ct);
        compose.ShouldContain("  extra:\n    image: \"${ATLAS_IMAGE_EXTRA:-example.org/extra:1.0}\"");
        compose.ShouldContain("EXTRA_SETTING: \"on\"");
        File.Exists(_output.Combine("baremetal", "master", "units", "atlas-extra.service")).ShouldBeTrue();
        (await File.ReadAllTextAsync(_output.Combine("baremetal", "master", "env", "extra.env"), Ct)).ShouldContain("EXTRA_SETTING=on\n");
    }

    [Fact]
    public async Task Describe_PublishedCluster_RolesSecretsAndTelemetryFromTheModel()
    {
        var (services, _, _) = await DescribeAsync(_ => { });

        services.Select(s => s.Name).ShouldBe(["dashboard", "gateway", "keycloak", "master", "redis", "telemetry", "worker-1", "worker-2"]);
        services.Single(s => s.Name == "worker-1").Role.ShouldBe(ServiceRole.Worker);
        services.Single(s => s.Name == "telemetry").Role.ShouldBe(ServiceRole.Telemetry);
        var master = services.Single(s => s.Name == "master");
        master.Variable("ConnectionStrings__redis")!.IsSecret.ShouldBeTrue("the Redis connection string carries the password parameter");
        master.Variable("OTEL_EXPORTER_OTLP_HEADERS")!.IsSecret.ShouldBeTrue("the OTLP key is a secret parameter");
        master.Variable("OTEL_EXPORTER_OTLP_ENDPOINT")!.Parts.ShouldContain(p => p.Kind == ValuePartKind.Endpoint && p.Resource == "telemetry");
        master.DependsOn.ShouldContain("redis");
        // Keycloak's realm reads the dashboard's URL at import; published, localhost until the host says otherwise.
        var keycloak = services.Single(s => s.Name == "keycloak");
        keycloak.Role.ShouldBe(ServiceRole.Keycloak);
        keycloak.Variable("ATLAS_DASHBOARD_URL")!.Render(_ => "").ShouldBe("http://localhost:5555");
    }

    private async Task<(IReadOnlyList<DeployableService> Services, ClusterSecrets Secrets, string RepoRoot)> DescribeAsync(Action<IDistributedApplicationBuilder> addMore)
    {
        var builder = DistributedApplication.CreateBuilder(["--operation", "publish", "--step", "none", "--output-path", _output.Path]);
        builder.AddPublishedCluster(ClusterModel.Build(new AppHostOptions { DataDir = "/atlas" }, "process", PublishPorts.Sequence()));
        addMore(builder);
        await using var app = builder.Build();
        var repoRoot = AtlasBuildInfo.RepoRoot(typeof(ServiceCatalogTests).Assembly);
        var (services, parameters) = await ServiceCatalog.DescribeAsync(
            app.Services.GetRequiredService<DistributedApplicationModel>(), app.Services.GetRequiredService<DistributedApplicationExecutionContext>(), repoRoot, Ct);
        var secrets = await ClusterSecrets.LoadAsync(parameters, new ConfigurationBuilder().Build(), _output.Path, Ct);
        return (services, secrets, repoRoot);
    }
}
