using Atlas.Testing;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// A cluster with login on, trusting a real OpenID Connect provider nobody here wrote (npm
/// oidc-provider, <see cref="OidcProviderServer"/>): the AppHost with <c>--auth --keycloak-url</c>,
/// one worker on the process runtime. Access tokens live <see cref="AccessTokenTtl"/>, far below the
/// realm's 5 minutes, so the CLI renews them within a test.
/// </summary>
public sealed class AuthClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan AccessTokenTtl = TimeSpan.FromSeconds(10);

    public OidcProviderServer Provider { get; private set; } = null!;

    public ClusterProcess Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Provider = await OidcProviderServer.StartAsync(AccessTokenTtl);
        Cluster = await ClusterProcess.StartAsync(typeof(AuthClusterFixture).Assembly, workers: 1,
            ["--runtime", "process", "--auth", "--keycloak-url", Provider.Issuer],
            freshBearerToken: Provider.BotAccessTokenAsync);
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
