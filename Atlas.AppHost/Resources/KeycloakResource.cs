using Atlas.AppHost.Model;
using Atlas.Core.Containers;

namespace Atlas.AppHost.Resources;

/// <summary>
/// The development Keycloak for <c>--auth</c> (Aspire.Hosting.Keycloak is not served here): the
/// image in <c>start-dev --import-realm</c> mode with the repo's realm folder bind-mounted, on
/// <c>localhost:PORT</c>, labelled with the cluster. The image is never pulled.
/// </summary>
internal static class KeycloakResource
{
    /// <summary>The image, pinned so the realm format and the admin variables below match.</summary>
    public const string ImageName = "quay.io/keycloak/keycloak";

    public const string Tag = "26.4";

    public const string Image = ImageName + ":" + Tag;

    private const int ContainerPort = 8080;

    /// <summary>
    /// The variable the realm file reads at import (<c>${ATLAS_DASHBOARD_URL:http://localhost:5555}</c>):
    /// the dashboard's URL as the browser opens it, whose <c>/*</c> the <c>atlas-dashboard</c> client
    /// accepts as a redirect and whose origin as a web origin. Every Keycloak started with the realm sets it.
    /// </summary>
    public const string DashboardUrlVariable = "ATLAS_DASHBOARD_URL";

    /// <summary>
    /// Adds the container for <paramref name="spec"/>, importing the realm files in <paramref name="realmFolder"/>;
    /// the realm lets the dashboard at <paramref name="dashboardUrl"/> log in.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddKeycloak(this IDistributedApplicationBuilder builder, ResourceSpec spec, string clusterId, string realmFolder, string dashboardUrl) =>
        builder.AddContainer(spec.Name, ImageName, Tag)
            .WithImagePullPolicy(ImagePullPolicy.Never)
            .WithBindMount(realmFolder, "/opt/keycloak/data/import", isReadOnly: true)
            .WithArgs("start-dev", "--import-realm", "--http-port=" + ContainerPort)
            // Development only: the admin console of this throwaway Keycloak, on loopback.
            .WithEnvironment("KC_BOOTSTRAP_ADMIN_USERNAME", "admin")
            .WithEnvironment("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin")
            .WithEnvironment(DashboardUrlVariable, dashboardUrl)
            .WithHttpEndpoint(port: spec.Port, targetPort: ContainerPort, isProxied: false)
            .WithHttpHealthCheck($"/realms/{ClusterModel.Realm}/.well-known/openid-configuration")
            .WithContainerRuntimeArgs("--label", $"{ContainerLabels.Cluster}={clusterId}");
}
