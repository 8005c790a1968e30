namespace Atlas.Core.Docker;

/// <summary>A host folder mounted into a container.</summary>
/// <param name="HostPath">Absolute path on the engine's host.</param>
/// <param name="ContainerPath">Absolute path inside the container.</param>
/// <param name="ReadOnly">Mount read-only.</param>
public sealed record ContainerBind(string HostPath, string ContainerPath, bool ReadOnly = false)
{
    /// <summary>The engine's <c>Binds</c> form: <c>host:container[:ro]</c>.</summary>
    public override string ToString() => ReadOnly ? $"{HostPath}:{ContainerPath}:ro" : $"{HostPath}:{ContainerPath}";
}
