namespace Atlas.AppHost.Publishing;

/// <summary>A folder a service needs: a named volume, or repository files copied into the output.</summary>
/// <param name="Source">A volume's name, or a path relative to the output folder for <paramref name="Files"/>.</param>
/// <param name="Target">Where the service sees it.</param>
/// <param name="Files">True for files from the repository (copied next to the output), false for a volume.</param>
/// <param name="ReadOnly">Mounted read-only.</param>
public sealed record DeployMount(string Source, string Target, bool Files, bool ReadOnly);
