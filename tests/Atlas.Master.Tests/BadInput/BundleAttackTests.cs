using System.Formats.Tar;
using System.Net.Http.Headers;
using System.Text;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Master.Tests.BadInput;

/// <summary>
/// Every bundle attack the bundle reader refuses (BundleReaderTests), sent as a real submit over
/// real HTTP: a 4xx ProblemDetails that names the bundle, and nothing written — no job folder,
/// no upload left in the staging folder, no job record in Redis.
/// </summary>
public sealed class BundleAttackTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private MasterFactory _factory = null!;
    private HttpClient _client = null!;
    private ConnectionMultiplexer _redis = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Attacks => [.. new[]
    {
        "traversal", "traversal-nested", "absolute", "backslash", "drive", "symlink-out", "symlink-absolute",
        "file-through-symlink", "hardlink-escape", "hardlink-dangling", "device", "fifo", "huge-entry",
        "gzip-bomb", "deep-nesting", "long-name", "non-utf8-name", "control-character", "not-gzip", "truncated",
    }];

    public async ValueTask InitializeAsync()
    {
        _factory = new MasterFactory(redis);
        _factory.UseKestrel(0);
        _factory.StartServer();
        _client = _factory.CreateClient();
        _redis = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Submit_HostileBundle_RefusedNamingBundleAndWritesNothing(string attack)
    {
        var jobsBefore = await _redis.GetDatabase().SortedSetLengthAsync(RedisKeys.Jobs);
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent("""{"command":["true"]}""", Encoding.UTF8, "application/json"), "spec");
        var bundle = new ByteArrayContent(Bundle(attack));
        bundle.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        content.Add(bundle, "bundle", "bundle.tar.gz");

        using var response = await _client.PostAsync("/api/v1/jobs", content, Ct);

        var text = await response.Content.ReadAsStringAsync(Ct);
        ((int)response.StatusCode).ShouldBeOneOf([400, 413], text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        text.ShouldContain("\"errors\":{\"bundle\":[");
        Directory.GetFileSystemEntries(Path.Combine(_factory.Shared.Path, "jobs")).ShouldBeEmpty();
        Directory.GetFileSystemEntries(Path.Combine(_factory.Shared.Path, "uploads")).ShouldBeEmpty();
        (await _redis.GetDatabase().SortedSetLengthAsync(RedisKeys.Jobs)).ShouldBe(jobsBefore);
        (await _client.GetAsync("/health", Ct)).IsSuccessStatusCode.ShouldBeTrue();
    }

    private static byte[] Bundle(string attack)
    {
        var ok = new TarBuilder().File("ok.txt");
        return attack switch
        {
            "traversal" => ok.File("../evil.txt").ToBytes(),
            "traversal-nested" => ok.File("a/../../evil.txt").ToBytes(),
            "absolute" => ok.File("/etc/evil").ToBytes(),
            "backslash" => ok.File("a\\..\\..\\evil.txt").ToBytes(),
            "drive" => ok.File("C:/evil.txt").ToBytes(),
            "symlink-out" => ok.Symlink("link", "../../outside").ToBytes(),
            "symlink-absolute" => ok.Symlink("link", "/etc").ToBytes(),
            "file-through-symlink" => ok.Directory("data").Symlink("link", "data").File("link/escape.txt").ToBytes(),
            "hardlink-escape" => ok.HardLink("hard", "../../etc/passwd").ToBytes(),
            "hardlink-dangling" => ok.HardLink("hard", "never-seen.txt").ToBytes(),
            "device" => ok.Entry(TarEntryType.CharacterDevice, "dev/null").ToBytes(),
            "fifo" => ok.Entry(TarEntryType.Fifo, "fifo").ToBytes(),
            "huge-entry" => ok.Bytes("big.bin", RandomBytes(2 * (int)MasterFactory.MaxBundleBytes)).ToBytes(),
            "gzip-bomb" => ok.Bytes("zeros.bin", new byte[32 << 20]).ToBytes(), // ~32 KiB that unpack to 32 MiB
            "deep-nesting" => ok.File(string.Join('/', Enumerable.Repeat("d", 100)) + "/f.txt").ToBytes(),
            "long-name" => ok.File(new string('n', 2000)).ToBytes(),
            "non-utf8-name" => TarBuilder.NonUtf8Name(),
            "control-character" => ok.File("bad\u0001name.txt").ToBytes(),
            "not-gzip" => RandomBytes(4096),
            "truncated" => ok.File("more.txt", new string('y', 5000)).ToBytes()[..60],
            _ => throw new ArgumentOutOfRangeException(nameof(attack), attack, null),
        };
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }
}
