using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Atlas.AppHost.Model;
using Atlas.AppHost.Options;
using Atlas.AppHost.Resources;

namespace Atlas.AppHost.Tests.Keycloak;

/// <summary>
/// The Keycloak container <c>--auth</c> starts hands the realm import the dashboard's URL
/// (<c>ATLAS_DASHBOARD_URL</c>), so the dashboard's login works on whatever port it runs.
/// </summary>
public class KeycloakResourceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddKeycloak_DashboardOnAnotherPort_RealmImportGetsItsUrl()
    {
        var port = 5600;
        var model = ClusterModel.Build(new AppHostOptions { DataDir = "/tmp/atlas-model", Auth = true, DashboardPort = 5601 }, "process", () => ++port);
        var builder = DistributedApplication.CreateBuilder([]);
        var keycloakSpec = model.Resources.Single(r => r.Kind == ResourceKind.Keycloak);

        var keycloak = builder.AddKeycloak(keycloakSpec, model.ClusterId, "/tmp/atlas-realm", model.Dashboard.Url);

        var variables = new Dictionary<string, object>();
        var execution = new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run);
        foreach (var callback in keycloak.Resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(new EnvironmentCallbackContext(execution, keycloak.Resource, variables, Ct));
        }
        variables[KeycloakResource.DashboardUrlVariable].ShouldBe("http://127.0.0.1:5601");
        keycloak.Resource.Annotations.OfType<ContainerMountAnnotation>().Single().Target.ShouldBe("/opt/keycloak/data/import");
    }
}
