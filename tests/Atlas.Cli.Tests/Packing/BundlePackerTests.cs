using System.Formats.Tar;
using System.IO.Compression;
using Atlas.Cli.Packing;
using Atlas.Testing;

namespace Atlas.Cli.Tests.Packing;

public sealed class BundlePackerTests : IDisposable
{
    private readonly TempFolder _project = new("atlas-pack");
    private readonly TempFolder _out = new("atlas-pack-out");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _project.Dispose();
        _out.Dispose();
    }

    [Fact]
    public async Task PackAsync_ProjectWithIgnoresGitAndLinks_PacksWhatTheJobNeeds()
    {
        Write("train.py", "print(1)");
        Write("src/model/net.py", "x = 1");
        Write("data/big.csv", "1,2");
        Write("data/keep.csv", "3,4");
        Write("logs/old.log", "old");
        Write(".git/config", "[core]");
        Write("sub/.git/HEAD", "ref");
        Write("run.sh", "#!/bin/sh");
        File.SetUnixFileMode(_project.Combine("run.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.CreateSymbolicLink(_project.Combine("latest.py"), "train.py");
        Write(".atlasignore", "*.csv\n!keep.csv\nlogs/\n");

        var result = await BundlePacker.PackAsync(_project.Path, _out.Combine("b.tar.gz"), Ct);

        var entries = await ReadAsync(result.Path);
        entries.Keys.ShouldBe(
            [".atlasignore", "data/", "data/keep.csv", "latest.py", "run.sh", "src/", "src/model/", "src/model/net.py", "sub/", "train.py"],
            ignoreOrder: true);
        entries["latest.py"].EntryType.ShouldBe(TarEntryType.SymbolicLink);
        entries["latest.py"].LinkName.ShouldBe("train.py");
        entries["run.sh"].Mode.HasFlag(UnixFileMode.UserExecute).ShouldBeTrue();
        entries["train.py"].Mode.HasFlag(UnixFileMode.UserExecute).ShouldBeFalse();
        result.Files.ShouldBe(5);
    }

    [Fact]
    public async Task PackAsync_EmptyFolder_GivesEmptyBundle()
    {
        var result = await BundlePacker.PackAsync(_project.Path, _out.Combine("b.tar.gz"), Ct);

        (await ReadAsync(result.Path)).ShouldBeEmpty();
        result.Files.ShouldBe(0);
    }

    private void Write(string relative, string text)
    {
        var path = _project.Combine(relative.Split('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static async Task<Dictionary<string, TarEntry>> ReadAsync(string path)
    {
        var entries = new Dictionary<string, TarEntry>();
        await using var file = File.OpenRead(path);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        try
        {
            while (await tar.GetNextEntryAsync(copyData: true, Ct) is { } entry)
            {
                entries[entry.Name] = entry;
            }
        }
        catch (EndOfStreamException) when (entries.Count == 0)
        {
        }
        return entries;
    }
}
