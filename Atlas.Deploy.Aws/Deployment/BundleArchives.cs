using System.Formats.Tar;
using System.IO.Compression;
using Atlas.Deploy.Aws.Templates;

namespace Atlas.Deploy.Aws.Deployment;

/// <summary>
/// What <c>--bundles</c> names: either a folder with the two archives
/// (<c>atlas-baremetal-master.tar.gz</c>, <c>atlas-baremetal-worker.tar.gz</c>), or the AppHost's
/// <c>publish-baremetal</c> output (<c>master/</c>, <c>worker/</c>, <c>bin/</c>), which is packed into
/// them: each archive holds its role's folder and <c>bin/</c>, file modes kept.
/// </summary>
public static class BundleArchives
{
    public static readonly string[] Roles = ["master", "worker"];

    /// <summary>Why <paramref name="folder"/> cannot give the archives, or null when it can.</summary>
    public static string? Problem(string folder)
    {
        if (Roles.All(r => File.Exists(Path.Combine(folder, TemplateNames.BundleFile(r)))))
        {
            return null;
        }
        if (Roles.All(r => File.Exists(Path.Combine(folder, r, "install.sh"))))
        {
            var bin = Path.Combine(folder, "bin");
            return Directory.Exists(bin) && Directory.EnumerateFileSystemEntries(bin).Any()
                ? null
                : $"{bin} is empty: publish the binaries first ({Path.Combine(folder, "build-binaries.sh")} REPO)";
        }
        return $"{folder} holds neither {TemplateNames.BundleFile("master")} and {TemplateNames.BundleFile("worker")} nor publish-baremetal's master/, worker/ and bin/";
    }

    /// <summary>A folder with the two archives: <paramref name="folder"/> itself, or <paramref name="scratch"/> after packing.</summary>
    public static async Task<string> PrepareAsync(string folder, string scratch, CancellationToken cancellationToken)
    {
        if (Roles.All(r => File.Exists(Path.Combine(folder, TemplateNames.BundleFile(r)))))
        {
            return folder;
        }
        Directory.CreateDirectory(scratch);
        foreach (var role in Roles)
        {
            await using var file = File.Create(Path.Combine(scratch, TemplateNames.BundleFile(role)));
            await using var gzip = new GZipStream(file, CompressionLevel.Optimal);
            await using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
            foreach (var part in new[] { role, "bin" })
            {
                var root = Path.Combine(folder, part);
                // Sorted, so the same folder gives the same archive.
                foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    await tar.WriteEntryAsync(path, Path.GetRelativePath(folder, path).Replace('\\', '/'), cancellationToken);
                }
            }
        }
        return scratch;
    }
}
