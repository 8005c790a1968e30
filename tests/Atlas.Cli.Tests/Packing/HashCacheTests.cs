using System.Security.Cryptography;
using System.Text;
using Atlas.Cli.Packing;
using Atlas.Testing;

namespace Atlas.Cli.Tests.Packing;

/// <summary>The hash cache trusts a file's size and time, and nothing else.</summary>
public sealed class HashCacheTests : IDisposable
{
    private readonly TempFolder _home = new("atlas-home");
    private readonly TempFolder _project = new("atlas-project");
    private static readonly DateTime Past = DateTime.UtcNow.AddMinutes(-10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _home.Dispose();
        _project.Dispose();
    }

    [Fact]
    public async Task HashAsync_SizeAndTimeUnchanged_CachedHashEvenIfTheBytesChanged()
    {
        var file = Write("a.txt", "one", Past);
        await HashAsync(file);

        Write("a.txt", "two", Past); // same size, same time: the cache cannot tell, by design

        (await HashAsync(file)).ShouldBe(Sha("one"));
    }

    [Fact]
    public async Task HashAsync_TimeChanged_HashedAgain()
    {
        var file = Write("a.txt", "one", Past);
        await HashAsync(file);

        Write("a.txt", "two", Past.AddSeconds(1));

        (await HashAsync(file)).ShouldBe(Sha("two"));
    }

    [Fact]
    public async Task HashAsync_FileWrittenJustBeforeHashing_NotCached()
    {
        var file = Write("a.txt", "one", DateTime.UtcNow);
        await HashAsync(file);

        Write("a.txt", "two", File.GetLastWriteTimeUtc(file)); // a second write in the same tick

        (await HashAsync(file)).ShouldBe(Sha("two"));
    }

    private async Task<string> HashAsync(string path)
    {
        var cache = HashCache.Load(_home.Path, _project.Path);
        var hash = await cache.HashAsync("a.txt", new FileInfo(path), DateTime.UtcNow, Ct);
        cache.Save();
        return hash;
    }

    private string Write(string name, string text, DateTime time)
    {
        var path = _project.Combine(name);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, time);
        return path;
    }

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
