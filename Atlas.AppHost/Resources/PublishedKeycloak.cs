
namespace Atlas.AppHost.Resources;

/// <summary>
/// Keycloak for a deployed cluster (optional: compose puts it in the <c>keycloak</c> profile), with
/// the repo's realm imported and the admin password a secret parameter. The dashboard's public URL
/// (<see cref="KeycloakResource.DashboardUrlVariable"/>) is the deployed host's to say: compose reads
/// it from its environment, the bare-metal <c>install.sh</c> from its own; both default to
/// the URL <see cref="AddPublishedKeycloak"/> is given (localhost).
/// </summary>
internal static class PublishedKeycloak
{
    public const string Name = "keycloak";

    /// <summary>DESIGN.md's Keycloak port in deployments.</summary>
    public const int Port = 8443;

    /// <summary>Adds Keycloak; its realm accepts the dashboard at <paramref name="dashboardUrl"/> unless the host sets another.</summary>
    public static IResourceBuilder<ContainerResource> AddPublishedKeycloak(this IDistributedApplicationBuilder builder, string realmFolder, string dashboardUrl)
    {
        var admin = builder.AddParameter(Name + "-admin-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true);
        return builder.AddContainer(Name, KeycloakResource.ImageName, KeycloakResource.Tag)
            .WithBindMount(realmFolder, "/opt/keycloak/data/import", isReadOnly: true)
            .WithArgs("start-dev", "--import-realm", "--http-port=8080")
            .WithEnvironment("KC_BOOTSTRAP_ADMIN_USERNAME", "admin")
            .WithEnvironment("KC_BOOTSTRAP_ADMIN_PASSWORD", admin)
            .WithEnvironment(KeycloakResource.DashboardUrlVariable, dashboardUrl)
            .WithHttpEndpoint(port: Port, targetPort: 8080)
            .WithExternalHttpEndpoints();
    }
}
