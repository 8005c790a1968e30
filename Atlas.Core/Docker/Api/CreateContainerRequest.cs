namespace Atlas.Core.Docker.Api;

/// <summary>Body of <c>POST /containers/create</c>.</summary>
internal sealed record CreateContainerRequest(
    string Image,
    IReadOnlyList<string> Cmd,
    IReadOnlyList<string> Env,
    string? WorkingDir,
    IReadOnlyDictionary<string, string> Labels,
    HostConfigRequest HostConfig)
{
    public bool Tty => false;

    public bool OpenStdin => false;

    public bool AttachStdin => false;
}
