using System.Globalization;

namespace Atlas.AppHost.Options;

/// <summary>Reads the AppHost's flags; every error names the flag.</summary>
public static class AppHostOptionsParser
{
    public const string Usage = """
        Usage: dotnet run --project Atlas.AppHost -- [options]

        Starts the whole Atlas cluster on this machine: Redis, the master, the workers, the gateway and the dashboard.

          --workers N        worker nodes (default 2)
          --slots N          jobs each worker runs at once (default 2)
          --gpus-per-worker N declare N GPUs (ids 0..N-1) on every worker, for machines
                             without one (default 0: workers detect GPUs with nvidia-smi)
          --masters N        masters; more than one runs standbys (default 1)
          --runtime R        docker or process (default: docker when a Docker Engine answers)
          --data DIR         Redis data, logs and the shared volume (default ./.atlas)
          --port N           the gateway's port (default 5558)
          --redis-port N     Redis's port (default 5556)
          --dashboard-port N the Atlas dashboard's port (default 5555)
          --appendfsync P    everysec (default; at most 1 s of writes lost on a crash) or always
          --auth             check bearer tokens everywhere (default: single-user mode, no login);
                             starts Keycloak (quay.io/keycloak/keycloak, realm keycloak/atlas-realm.json)
                             when the Docker Engine has the image
          --keycloak-url U   with --auth: use this issuer (an existing Keycloak realm such as
                             https://kc.example.com/realms/atlas, or another OIDC provider) instead
          --keycloak-port N  the port of the Keycloak started by --auth (default 5559)
          -h, --help         this text

        Publishing the deploy targets instead of running (docs/DEPLOY.md):
          --operation publish --step publish-compose   --output-path DIR   Docker Compose
          --operation publish --step publish-baremetal --output-path DIR   systemd bundles
          --operation publish --step publish-manifest  --output-path DIR   Aspire manifest + azure.yaml
        """;

    // Aspire's own flags (publish mode), each with a value: handed on to DistributedApplication.
    private static readonly string[] AspireFlags = ["--publisher", "--output-path", "--operation", "--step"];

    /// <summary>The options, or the first error in words.</summary>
    public static (AppHostOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var options = new AppHostOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag is "-h" or "--help")
            {
                return (options with { Help = true }, null);
            }
            if (flag == "--auth")
            {
                options = options with { Auth = true };
                continue;
            }
            if (i + 1 >= args.Count)
            {
                return (null, $"{flag} needs a value (see --help)");
            }
            var value = args[++i];
            if (AspireFlags.Contains(flag))
            {
                options = options with { AspireArgs = [.. options.AspireArgs, flag, value] };
                continue;
            }
            string? error = null;
            switch (flag)
            {
                case "--workers": options = options with { Workers = Number(flag, value, 1, 64, ref error) }; break;
                case "--slots": options = options with { Slots = Number(flag, value, 1, 256, ref error) }; break;
                case "--gpus-per-worker": options = options with { GpusPerWorker = Number(flag, value, 0, 64, ref error) }; break;
                case "--masters": options = options with { Masters = Number(flag, value, 1, 5, ref error) }; break;
                case "--port": options = options with { GatewayPort = Number(flag, value, 1, 65535, ref error) }; break;
                case "--dashboard-port": options = options with { DashboardPort = Number(flag, value, 1, 65535, ref error) }; break;
                case "--redis-port": options = options with { RedisPort = Number(flag, value, 1, 65535, ref error) }; break;
                case "--keycloak-port": options = options with { KeycloakPort = Number(flag, value, 1, 65535, ref error) }; break;
                case "--keycloak-url":
                    error = Uri.TryCreate(value, UriKind.Absolute, out var issuer) && issuer.Scheme is "http" or "https"
                        ? null : $"--keycloak-url must be an http(s) URL, the issuer of the realm (got '{value}')";
                    options = options with { KeycloakUrl = value.TrimEnd('/') };
                    break;
                case "--data": options = options with { DataDir = value }; break;
                case "--runtime":
                    error = value is "docker" or "process" ? null : "--runtime must be docker or process";
                    options = options with { Runtime = value };
                    break;
                case "--appendfsync":
                    error = value is "everysec" or "always" ? null : "--appendfsync must be everysec or always";
                    options = options with { AppendFsync = value };
                    break;
                default:
                    return (null, $"unknown option {flag} (see --help)");
            }
            if (error is not null)
            {
                return (null, error);
            }
        }
        if (options.GatewayPort == options.RedisPort)
        {
            return (null, "--port and --redis-port must differ");
        }
        if (options.DashboardPort == options.GatewayPort || options.DashboardPort == options.RedisPort)
        {
            return (null, "--dashboard-port must differ from --port and --redis-port");
        }
        if (options.KeycloakUrl is not null && !options.Auth)
        {
            return (null, "--keycloak-url only applies with --auth");
        }
        if (options.Auth && options.KeycloakUrl is null && options.KeycloakPort is var k && (k == options.GatewayPort || k == options.RedisPort))
        {
            return (null, "--keycloak-port must differ from --port and --redis-port");
        }
        return (options, null);
    }

    private static int Number(string flag, string value, int min, int max, ref string? error)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }
        error = $"{flag} must be between {min} and {max} (got '{value}')";
        return 0;
    }
}
