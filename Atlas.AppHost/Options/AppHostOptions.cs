namespace Atlas.AppHost.Options;

/// <summary>What <c>dotnet run --project Atlas.AppHost -- [flags]</c> asked for.</summary>
public sealed record AppHostOptions
{
    /// <summary>Worker nodes (<c>--workers</c>).</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Job slots per worker (<c>--slots</c>).</summary>
    public int Slots { get; init; } = 2;

    /// <summary>GPUs declared on every worker (<c>--gpus-per-worker</c>), ids 0..N-1; 0 leaves detection to the worker.</summary>
    public int GpusPerWorker { get; init; }

    /// <summary>Masters (<c>--masters</c>); more than one runs standbys.</summary>
    public int Masters { get; init; } = 1;

    /// <summary><c>docker</c>, <c>process</c>, or null to use docker when an engine answers.</summary>
    public string? Runtime { get; init; }

    /// <summary>Redis data, logs and the shared volume (<c>--data</c>).</summary>
    public string DataDir { get; init; } = ".atlas";

    /// <summary>The gateway's port (<c>--port</c>).</summary>
    public int GatewayPort { get; init; } = 5558;

    /// <summary>The Atlas dashboard's port (<c>--dashboard-port</c>).</summary>
    public int DashboardPort { get; init; } = 5555;

    /// <summary>Redis's port (<c>--redis-port</c>).</summary>
    public int RedisPort { get; init; } = 5556;

    /// <summary>Redis's append-only fsync policy (<c>--appendfsync</c>): <c>everysec</c> or <c>always</c>.</summary>
    public string AppendFsync { get; init; } = "everysec";

    /// <summary>Authentication on (<c>--auth</c>): every service checks bearer tokens; without it, single-user mode.</summary>
    public bool Auth { get; init; }

    /// <summary>An existing Keycloak realm or other OpenID Connect issuer (<c>--keycloak-url</c>); null starts Keycloak in Docker.</summary>
    public string? KeycloakUrl { get; init; }

    /// <summary>The port of the Keycloak the AppHost starts (<c>--keycloak-port</c>).</summary>
    public int KeycloakPort { get; init; } = 5559;

    /// <summary>Aspire's own arguments (<c>--publisher</c>, <c>--output-path</c>, <c>--operation</c>, <c>--step</c>), passed on to it.</summary>
    public IReadOnlyList<string> AspireArgs { get; init; } = [];

    /// <summary>True when Aspire is asked to publish (write a manifest) rather than run the cluster.</summary>
    public bool Publish => AspireArgs.Contains("--publisher") || AspireArgs.Contains("publish");

    /// <summary>Redis's password (<c>requirepass</c>); null: none. The AppHost generates one per data folder (LocalRedisPassword).</summary>
    public string? RedisPassword { get; init; }

    /// <summary>Print the usage and exit.</summary>
    public bool Help { get; init; }
}
