namespace Atlas.AppHost.Resources;

/// <summary>
/// The standalone Aspire dashboard of a deployed cluster (traces, metrics, logs over OTLP), with API
/// keys from secret parameters: services send <c>x-otlp-api-key</c> (the deploy targets add it to
/// every resource that exports OTLP), users log in with the browser token, scripts call its HTTP
/// API with the same token as <c>X-API-Key</c>.
/// </summary>
internal static class TelemetryDashboard
{
    /// <summary>Not "aspire-dashboard": Aspire keeps that name for its own and leaves it out of the manifest.</summary>
    public const string Name = "telemetry";

    public const string Image = "mcr.microsoft.com/dotnet/aspire-dashboard";

    public const string Tag = "13.6";

    /// <summary>The UI and HTTP API (DESIGN.md: 18888).</summary>
    public const int UiPort = 18888;

    /// <summary>OTLP over gRPC (DESIGN.md: 18889).</summary>
    public const int OtlpPort = 18889;

    public static IResourceBuilder<ContainerResource> AddTelemetryDashboard(this IDistributedApplicationBuilder builder)
    {
        var otlpKey = builder.AddParameter(Name + "-otlp-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
        var token = builder.AddParameter(Name + "-token", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
        return builder.AddContainer(Name, Image, Tag)
            .WithHttpEndpoint(port: UiPort, targetPort: UiPort, name: "http")
            .WithHttpEndpoint(port: OtlpPort, targetPort: OtlpPort, name: "otlp")
            .WithEndpoint("http", e => e.IsExternal = true)
            .WithEnvironment("ASPNETCORE_URLS", "http://0.0.0.0:" + UiPort)
            .WithEnvironment("ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "http://0.0.0.0:" + OtlpPort)
            .WithEnvironment("ASPIRE_ALLOW_UNSECURED_TRANSPORT", "true")
            .WithEnvironment("Dashboard__Otlp__AuthMode", "ApiKey")
            .WithEnvironment(Publishing.ServiceCatalog.OtlpKeyVariable, otlpKey)
            .WithEnvironment("Dashboard__Frontend__AuthMode", "BrowserToken")
            .WithEnvironment("Dashboard__Frontend__BrowserToken", token)
            .WithEnvironment("Dashboard__Api__AuthMode", "ApiKey")
            .WithEnvironment("Dashboard__Api__PrimaryApiKey", token);
    }
}
