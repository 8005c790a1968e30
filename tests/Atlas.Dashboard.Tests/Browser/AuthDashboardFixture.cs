using Atlas.EndToEnd.Tests;
using Atlas.Testing;

namespace Atlas.Dashboard.Tests.Browser;

/// <summary>
/// A cluster with login on, trusting the real test OpenID Connect provider (npm oidc-provider,
/// tests/oidc-provider), started through the AppHost; its dashboard logs in through the provider's
/// <c>atlas-dashboard</c> client.
/// </summary>
public sealed class AuthDashboardFixture : IAsyncLifetime
{
    public OidcProviderServer Provider { get; private set; } = null!;

    public AppHostCluster Cluster { get; private set; } = null!;

    public Chromium Chromium { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Chromium = await Chromium.LaunchAsync();
        Provider = await OidcProviderServer.StartAsync();
        Cluster = await AppHostCluster.StartAsync(workers: 1, ["--runtime", "process", "--auth", "--keycloak-url", Provider.Issuer],
            bearerToken: Provider.BotAccessTokenAsync, cancellationToken: TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
        if (Provider is not null)
        {
            await Provider.DisposeAsync();
        }
        if (Chromium is not null)
        {
            await Chromium.DisposeAsync();
        }
    }
}
