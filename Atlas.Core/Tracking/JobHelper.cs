namespace Atlas.Core.Tracking;

/// <summary>
/// The Python helper <c>atlas_job.py</c> (embedded from Atlas.Core/Tracking): the worker puts a copy in
/// every job's working directory, and <c>atlas init</c> in every new project.
/// </summary>
public static class JobHelper
{
    public const string PythonFileName = "atlas_job.py";

    public static byte[] Python { get; } = Read();

    /// <summary>Writes the helper into <paramref name="folder"/> unless a file of that name is there (the user's own copy wins).</summary>
    public static void CopyTo(string folder)
    {
        var path = Path.Combine(folder, PythonFileName);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            File.WriteAllBytes(path, Python);
        }
    }

    private static byte[] Read()
    {
        using var stream = typeof(JobHelper).Assembly.GetManifestResourceStream(PythonFileName)
            ?? throw new InvalidOperationException($"{PythonFileName} is not embedded in Atlas.Core.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
