using System.Text.Json;
using Atlas.Core.Containers;
using Docker.DotNet;

namespace Atlas.Worker.Runtime;

/// <summary>
/// How the worker reaches its Docker Engine (the address: <see cref="DockerAddress"/>). The client is Docker.DotNet.Enhanced (the maintained
/// fork, same API as Docker.DotNet 3.x, built for net10.0).
/// </summary>
public static class DockerEngine
{
    /// <summary>
    /// A client for the engine at <paramref name="configured"/> (see <see cref="DockerAddress.Resolve"/>). No API
    /// version is pinned: requests go unversioned and the engine answers in its own version, so
    /// the engine here (20.10, API 1.41) and newer ones (Docker 29 refuses below 1.44) both work.
    /// </summary>
    public static DockerClient Connect(string? configured) =>
        new DockerClientBuilder().WithEndpoint(DockerAddress.Resolve(configured)).Build();

    /// <summary>The engine's own words for a refused request (<c>No such image: x</c>), else the library's message.</summary>
    public static string Reason(DockerApiException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        try
        {
            using var body = JsonDocument.Parse(exception.ResponseBody ?? "");
            if (body.RootElement.ValueKind == JsonValueKind.Object
                && body.RootElement.TryGetProperty("message", out var message)
                && message.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (JsonException)
        {
            // Not the engine's JSON (a proxy in between?): the body itself is the best reason.
        }
        return string.IsNullOrWhiteSpace(exception.ResponseBody) ? exception.Message : exception.ResponseBody.Trim();
    }
}
