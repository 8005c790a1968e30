using Atlas.Testing;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// A cluster with login on, trusting a real OpenID Connect provider nobody here wrote (npm
/// oidc-provider, <see cref="OidcProviderServer"/>): the AppHost's model (<see cref="AppHostCluster"/>) with <c>--auth --keycloak-url</c>,
/// one worker on the process runtime. Access tokens live <see cref="AccessTokenTtl"/>, far below the
/// realm's 5 minutes, so the CLI renews them within a test.
/// </summary>
public sealed class AuthClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan AccessTokenTtl = TimeSpan.FromSeconds(10);

    public OidcProviderServer Provider { get; private set; } = null!;

    public AppHostCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Provider = await OidcProviderServer.StartAsync(AccessTokenTtl);
        Cluster = await AppHostCluster.StartAsync(workers: 1,
            ["--runtime", "process", "--auth", "--keycloak-url", Provider.Issuer],
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
    }
}
