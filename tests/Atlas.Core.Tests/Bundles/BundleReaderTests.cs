using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Atlas.Core.Bundles;
using Atlas.Testing;

namespace Atlas.Core.Tests.Bundles;

public sealed class BundleReaderTests : IDisposable
{
    private static readonly BundleLimits Small = BundleLimits.Default with
    {
        MaxCompressedBytes = 1 << 20,
        MaxUnpackedBytes = 4 << 20,
        MaxEntries = 50,
        MaxDepth = 8,
        MaxPathLength = 200,
        MaxExpansionRatio = 50,
        RatioFloorBytes = 1 << 20,
    };

    private readonly TempFolder _temp = new("atlas-bundle");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Destination => _temp.Combine("out");

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string> Hostile => new()
    {
        { "traversal", "../evil.txt" },
        { "traversal-nested", "a/../../evil.txt" },
        { "absolute", "/etc/passwd" },
        { "drive", "C:/evil.txt" },
        { "backslash", "a\\..\\evil.txt" },
        { "replacement", "bad\uFFFDname.txt" },
        { "deep", string.Join('/', Enumerable.Repeat("d", 9)) + "/f.txt" },
        { "long", new string('n', 201) },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task ExtractAsync_HostileName_RejectedNamingEntryAndWritesNothing(string _, string name)
    {
        var bundle = new TarBuilder().File("ok.txt").File(name).WriteTo(_temp.Path);

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(bundle, Destination, Small, Ct));

        error.Entry.ShouldNotBeNull();
        error.Message.ShouldStartWith($"entry '{error.Entry}'");
        error.TooLarge.ShouldBeFalse();
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Theory]
    [InlineData("up", "../../outside")]
    [InlineData("up-nested", "../b/../../outside")]
    [InlineData("absolute", "/etc")]
    public async Task ExtractAsync_SymlinkLeavingBundle_Rejected(string _, string target)
    {
        var bundle = new TarBuilder().Directory("a").Symlink("a/link", target).WriteTo(_temp.Path);

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(bundle, Destination, Small, Ct));

        error.Entry.ShouldBe("a/link");
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Fact]
    public async Task ExtractAsync_ControlCharacterInName_Rejected()
    {
        var bundle = new TarBuilder().File("a\u0001b.txt").WriteTo(_temp.Path);

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(bundle, Destination, Small, Ct));

        error.Entry.ShouldBe("a\\u0001b.txt");
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Fact]
    public async Task ExtractAsync_FileWrittenThroughSymlink_Rejected()
    {
        // The link itself stays inside, but a later entry would be written through it.
        var bundle = new TarBuilder().Directory("data").Symlink("link", "data").File("link/escape.txt").WriteTo(_temp.Path);

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(bundle, Destination, Small, Ct));

        error.Entry.ShouldBe("link/escape.txt");
        error.Message.ShouldContain("symbolic link 'link'");
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("never-seen.txt")]
    public async Task ExtractAsync_HardLinkEscapeOrDangling_Rejected(string target)
    {
        var bundle = new TarBuilder().File("a.txt").HardLink("h", target).WriteTo(_temp.Path);

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(bundle, Destination, Small, Ct));

        error.Entry.ShouldBe("h");
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice)]
    [InlineData(TarEntryType.BlockDevice)]
    [InlineData(TarEntryType.Fifo)]
    public async Task ExtractAsync_SpecialFile_Rejected(TarEntryType type)
    {
        var bundle = new TarBuilder().File("a.txt").Entry(type, "dev/thing").WriteTo(_temp.Path);

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(bundle, Destination, Small, Ct));

        error.Entry.ShouldBe("dev/thing");
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Fact]
    public async Task ExtractAsync_DirectoryReplacingFile_Rejected()
    {
        var bundle = new TarBuilder().File("a").Directory("a").WriteTo(_temp.Path);

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(bundle, Destination, Small, Ct));

        error.Entry.ShouldBe("a");
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Fact]
    public async Task ExtractAsync_FileUnderFile_Rejected()
    {
        var bundle = new TarBuilder().File("a").File("a/b").WriteTo(_temp.Path);

        (await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(bundle, Destination, Small, Ct))).Entry.ShouldBe("a/b");
    }

    [Fact]
    public async Task ExtractAsync_TooManyEntries_RejectedAsTooLarge()
    {
        var builder = new TarBuilder();
        for (var i = 0; i <= Small.MaxEntries; i++)
        {
            builder.File($"f{i}.txt");
        }

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(builder.WriteTo(_temp.Path), Destination, Small, Ct));

        error.TooLarge.ShouldBeTrue();
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Fact]
    public async Task ExtractAsync_UnpackedOverLimit_RejectedAsTooLarge()
    {
        var random = new byte[3 << 20];
        new Random(7).NextBytes(random);
        var bundle = new TarBuilder().Bytes("a.bin", random).Bytes("b.bin", random).WriteTo(_temp.Path);
        var limits = Small with { MaxCompressedBytes = 16 << 20 };

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(bundle, Destination, limits, Ct));

        error.TooLarge.ShouldBeTrue();
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Fact]
    public async Task ExtractAsync_GzipBomb_RejectedByExpansionRatio()
    {
        var zeros = new byte[64 << 20]; // compresses about 1000-fold
        var bundle = new TarBuilder().Bytes("zeros.bin", zeros).WriteTo(_temp.Path);
        var limits = Small with { MaxUnpackedBytes = 1L << 30 };

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(bundle, Destination, limits, Ct));

        error.TooLarge.ShouldBeTrue();
        error.Message.ShouldContain("gzip bomb");
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Fact]
    public async Task ExtractAsync_CompressedOverLimit_RejectedAsTooLarge()
    {
        var random = new byte[2 << 20];
        new Random(3).NextBytes(random);
        var bundle = new TarBuilder().Bytes("a.bin", random).WriteTo(_temp.Path);

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(bundle, Destination, Small, Ct));

        error.TooLarge.ShouldBeTrue();
        error.Entry.ShouldBeNull();
    }

    [Fact]
    public async Task ExtractAsync_NotAGzippedTar_RejectedWithoutEntry()
    {
        var path = _temp.Combine("junk.tar.gz");
        await File.WriteAllTextAsync(path, "not gzip at all", Ct);

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(path, Destination, Small, Ct));

        error.Entry.ShouldBeNull();
        error.Message.ShouldStartWith("not a gzip'd tar archive");
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Fact]
    public async Task ExtractAsync_GzipOfJunk_Rejected()
    {
        var path = _temp.Combine("junk.tar.gz");
        await using (var file = File.Create(path))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(new string('j', 3000)), Ct);
        }

        (await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(path, Destination, Small, Ct))).Entry.ShouldBeNull();
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Fact]
    public async Task ExtractAsync_TruncatedArchive_Rejected()
    {
        var random = new byte[200_000];
        new Random(1).NextBytes(random);
        var bundle = new TarBuilder().Bytes("a.bin", random).WriteTo(_temp.Path);
        var bytes = await File.ReadAllBytesAsync(bundle, Ct);
        await File.WriteAllBytesAsync(bundle, bytes[..(bytes.Length / 2)], Ct);

        await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ExtractAsync(bundle, Destination, Small, Ct));
        Directory.Exists(Destination).ShouldBeFalse();
    }

    [Fact]
    public async Task ExtractAsync_ProjectWithLinks_UnpacksSafely()
    {
        var executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.SetUser;
        var longName = string.Join('/', Enumerable.Repeat("folder", 7)) + "/" + new string('f', 120) + ".txt";
        var bundle = new TarBuilder()
            .Directory("./")
            .Directory("src")
            .File("src/train.py", "print('hi')")
            .File("run.sh", "#!/bin/sh\necho run", executable)
            .Symlink("latest", "src/train.py")
            .Symlink("src/up", "../run.sh")
            .HardLink("copy.py", "src/train.py")
            .File(longName, "deep")
            .File("./dot/relative.txt", "dot")
            .WriteTo(_temp.Path);

        var summary = await BundleReader.ExtractAsync(bundle, Destination, Small, Ct);

        summary.Files.ShouldBe(5);
        File.ReadAllText(Path.Combine(Destination, "dot", "relative.txt")).ShouldBe("dot");
        File.ReadAllText(Path.Combine(Destination, "src", "train.py")).ShouldBe("print('hi')");
        File.ReadAllText(Path.Combine(Destination, "copy.py")).ShouldBe("print('hi')");
        File.ReadAllText(Path.Combine(Destination, "latest")).ShouldBe("print('hi')");
        new FileInfo(Path.Combine(Destination, "latest")).LinkTarget.ShouldBe("src/train.py");
        File.ReadAllText(Path.Combine(Destination, longName)).ShouldBe("deep");
        var mode = File.GetUnixFileMode(Path.Combine(Destination, "run.sh"));
        mode.HasFlag(UnixFileMode.UserExecute).ShouldBeTrue();
        mode.HasFlag(UnixFileMode.SetUser).ShouldBeFalse();
        File.GetUnixFileMode(Path.Combine(Destination, "src", "train.py")).HasFlag(UnixFileMode.UserExecute).ShouldBeFalse();
    }

    [Fact]
    public async Task ExtractAsync_EmptyArchive_MakesEmptyFolder()
    {
        var path = _temp.Combine("empty.tar.gz");
        await using (var file = File.Create(path))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            await using var tar = new TarWriter(gzip);
        }

        var summary = await BundleReader.ExtractAsync(path, Destination, Small, Ct);

        summary.ShouldBe(new BundleSummary(0, 0, 0));
        Directory.GetFileSystemEntries(Destination).ShouldBeEmpty();
    }

    [Fact]
    public async Task ValidateAsync_InvalidUtf8Name_Rejected()
    {
        var path = _temp.Combine("utf8.tar.gz");
        await File.WriteAllBytesAsync(path, TarBuilder.NonUtf8Name(), Ct);

        var error = await Should.ThrowAsync<BundleRejectedException>(() => BundleReader.ValidateAsync(path, Small, Ct));

        error.Message.ShouldContain("not valid UTF-8");
        error.Entry!.ShouldStartWith("ok-");
    }
}
