using System.Globalization;
using Atlas.AppHost.Model;
using Atlas.Core.Docker;

namespace Atlas.AppHost.Orchestration;

/// <summary>
/// Runs the development Keycloak for <c>--auth</c>: the <see cref="Image"/> container in
/// <c>start-dev --import-realm</c> mode with the repo's realm file (<c>keycloak/atlas-realm.json</c>),
/// on the host's network at <c>localhost:PORT</c>, labelled with the cluster so nothing outlives
/// it. The image is never pulled: it must already be in the local Docker Engine.
/// </summary>
internal sealed class KeycloakLauncher(DockerClient docker, ConsoleWriter console)
{
    /// <summary>The image, pinned so the realm format and the admin variables below match.</summary>
    public const string Image = "quay.io/keycloak/keycloak:26.4";

    /// <summary>Keycloak starts slowly (it builds itself on the first start in dev mode).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private string? _id;

    /// <summary>Why Keycloak cannot be started here, in one line that says what to do instead; null when it can.</summary>
    public async Task<string?> CannotStartAsync(bool dockerAnswers, CancellationToken cancellationToken)
    {
        if (!dockerAnswers)
        {
            return "error: --auth starts Keycloak in Docker, but no Docker Engine answers; start one, or pass --keycloak-url with the issuer URL of an existing Keycloak realm or other OIDC provider";
        }
        return await docker.ImageExistsAsync(Image, cancellationToken)
            ? null
            : $"error: --auth starts Keycloak from the image {Image}, which the local Docker Engine does not have (it is not pulled); load it (docker load), or pass --keycloak-url with the issuer URL of an existing Keycloak realm or other OIDC provider";
    }

    /// <summary>Creates and starts the container, importing the realm files in <paramref name="realmFolder"/>.</summary>
    public async Task StartAsync(ClusterModel model, ResourceSpec spec, string realmFolder, CancellationToken cancellationToken)
    {
        var container = new ContainerSpec(Image,
            ["start-dev", "--import-realm", "--http-host=127.0.0.1", $"--http-port={spec.Port.ToString(CultureInfo.InvariantCulture)}"])
        {
            Name = $"{model.ClusterId}-keycloak",
            NetworkMode = "host",
            Binds = [new ContainerBind(realmFolder, "/opt/keycloak/data/import", ReadOnly: true)],
            Labels = new Dictionary<string, string> { [ContainerLabels.Cluster] = model.ClusterId },
            // Development only: the admin console of this throwaway Keycloak, on loopback.
            Environment = new Dictionary<string, string>
            {
                ["KC_BOOTSTRAP_ADMIN_USERNAME"] = "admin",
                ["KC_BOOTSTRAP_ADMIN_PASSWORD"] = "admin",
            },
        };
        _id = await docker.CreateContainerAsync(container, cancellationToken);
        await docker.StartContainerAsync(_id, cancellationToken);
        console.Info($"keycloak: container {_id[..12]} starting ({Image}; docker logs -f {_id[..12]} to watch)");
    }

    /// <summary>Whether the realm answers discovery yet; false also once the container has stopped (reported).</summary>
    public async Task<bool?> ReadyAsync(HttpClient http, string authority, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(authority + "/.well-known/openid-configuration", cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }
        }
        catch (HttpRequestException)
        {
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        return _id is not null && await docker.InspectContainerAsync(_id, cancellationToken) is { Running: false } ? null : false;
    }

    /// <summary>Stops and removes the container, if one was started.</summary>
    public async Task StopAsync()
    {
        if (_id is null)
        {
            return;
        }
        try
        {
            await docker.StopContainerAsync(_id, TimeSpan.FromSeconds(10), CancellationToken.None);
            await docker.RemoveContainerAsync(_id, force: true, CancellationToken.None);
        }
        catch (DockerException ex)
        {
            console.Info($"warning: could not remove the Keycloak container: {ex.Message}");
        }
        _id = null;
    }
}
