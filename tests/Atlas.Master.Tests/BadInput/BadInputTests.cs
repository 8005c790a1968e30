using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Atlas.Testing;

namespace Atlas.Master.Tests.BadInput;

/// <summary>
/// Generated and mutated input against every endpoint of the real master over real HTTP (real
/// Redis, real shared folder): every answer is a 2xx or a 4xx ProblemDetails, never a 5xx, the master keeps
/// serving, and a refused submit writes nothing. A failure prints its seed; set ATLAS_FUZZ_SEED
/// to replay it.
/// </summary>
public sealed class BadInputTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const int Rounds = 150;
    private MasterFactory _factory = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        // Real Kestrel on loopback, not the in-memory test server: hostile bytes in a URL must
        // meet the real HTTP parser.
        _factory = new MasterFactory(redis);
        _factory.UseKestrel(0);
        _factory.StartServer();
        _client = _factory.CreateClient();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Submit_MutatedSpecsAndBundles_NeverA5xxAndRefusalsWriteNothing()
    {
        var seed = HostileInput.Seed(output);
        var random = new Random(seed);
        using var redisClient = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var jobsBefore = await redisClient.GetDatabase().SortedSetLengthAsync(Atlas.Core.Storage.RedisKeys.Jobs);
        var foldersBefore = Directory.GetDirectories(Path.Combine(_factory.Shared.Path, "jobs")).Length;
        var accepted = 0;
        for (var round = 0; round < Rounds; round++)
        {
            using var body = MutatedSubmit(random);
            using var response = await _client.PostAsync("/api/v1/jobs", body, Ct);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(Ct);

            status.ShouldBeLessThan(500, $"seed {seed}, round {round}: {text}");
            accepted += status == 201 ? 1 : 0;
            if (status >= 400)
            {
                response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", $"seed {seed}, round {round}");
                text.ShouldContain("\"title\"");
            }
        }
        Directory.GetFileSystemEntries(Path.Combine(_factory.Shared.Path, "uploads")).ShouldBeEmpty($"seed {seed}");
        // A refused submit wrote nothing: only the accepted ones have a folder and a record.
        Directory.GetDirectories(Path.Combine(_factory.Shared.Path, "jobs")).Length.ShouldBe(foldersBefore + accepted, $"seed {seed}");
        (await redisClient.GetDatabase().SortedSetLengthAsync(Atlas.Core.Storage.RedisKeys.Jobs)).ShouldBe(jobsBefore + accepted, $"seed {seed}");
        (await _client.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OtherEndpoints_HostileIdsAndQueries_NeverA5xx()
    {
        var seed = HostileInput.Seed(output);
        var random = new Random(seed);
        var requests = new List<(HttpMethod, string)>();
        foreach (var escaped in HostileInput.PathIds(random, 40))
        {
            requests.Add((HttpMethod.Get, $"/api/v1/jobs/{escaped}"));
            requests.Add((HttpMethod.Get, $"/api/v1/jobs/{escaped}/logs?follow={(random.Next(2) == 0 ? "true" : "maybe")}"));
            requests.Add((HttpMethod.Post, $"/api/v1/jobs/{escaped}/stop"));
            requests.Add((HttpMethod.Delete, $"/api/v1/jobs/{escaped}"));
            requests.Add((HttpMethod.Post, $"/api/v1/jobs/{escaped}/priority"));
        }
        foreach (var query in HostileInput.Queries)
        {
            requests.Add((HttpMethod.Get, $"/api/v1/jobs?{query}"));
            requests.Add((HttpMethod.Post, $"/api/v1/queue/stop?{query}"));
        }
        foreach (var query in new[] { "user=%00", "user=" + new string('u', 30000), "everyone=maybe", "user=a&user=b", "everyone=true&user=%FF" })
        {
            requests.Add((HttpMethod.Post, $"/api/v1/queue/stop?{query}"));
        }
        requests.Add((HttpMethod.Get, "/api/v1/nodes?x=" + new string('n', 8000)));

        foreach (var (method, url) in requests)
        {
            using var response = await _client.SendAsync(new HttpRequestMessage(method, url), Ct);
            var what = $"seed {seed}: {method} {url[..Math.Min(url.Length, 120)]}";
            ((int)response.StatusCode).ShouldBeLessThan(500, what);
            if ((int)response.StatusCode >= 400)
            {
                response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", what + $" -> {(int)response.StatusCode}");
            }
        }
        (await _client.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    // A part name goes into a Content-Disposition header, so it must be header-safe text: control
    // characters would make the client throw before anything is sent.
    private static string WrongPartName(Random random) =>
        "x" + new string([.. Enumerable.Range(0, random.Next(1, 12)).Select(_ => (char)random.Next('!', '~' + 1)).Where(c => c is not '"' and not '\\')]);

    private static HttpContent MutatedSubmit(Random random)
    {
        var content = new MultipartFormDataContent();
        switch (random.Next(6))
        {
            case 0: // random bytes instead of a multipart body
                var junk = new ByteArrayContent(RandomBytes(random, random.Next(0, 4096)));
                junk.Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");
                junk.Headers.ContentType.Parameters.Add(new NameValueHeaderValue("boundary", "xyz"));
                return junk;
            case 1: // a mutated spec, no bundle
                content.Add(new StringContent(MutatedSpec(random), Encoding.UTF8, "application/json"), random.Next(4) == 0 ? WrongPartName(random) : "spec");
                return content;
            case 2: // a valid spec and random bytes as the bundle
                content.Add(new StringContent("""{"command":["true"]}""", Encoding.UTF8, "application/json"), "spec");
                content.Add(new ByteArrayContent(RandomBytes(random, random.Next(0, 8192))), "bundle", "b.tar.gz");
                return content;
            case 3: // a valid spec and a hostile tar
                content.Add(new StringContent("""{"command":["true"]}""", Encoding.UTF8, "application/json"), "spec");
                content.Add(new ByteArrayContent(HostileBundle(random)), "bundle", "b.tar.gz");
                return content;
            case 4: // a valid bundle cut short or with flipped bytes
                content.Add(new StringContent("""{"command":["true"]}""", Encoding.UTF8, "application/json"), "spec");
                var bundle = GoodBundle(random);
                if (random.Next(2) == 0)
                {
                    bundle = bundle[..random.Next(bundle.Length)];
                }
                else
                {
                    bundle[random.Next(bundle.Length)] ^= (byte)(1 << random.Next(8));
                }
                content.Add(new ByteArrayContent(bundle), "bundle", "b.tar.gz");
                return content;
            default: // parts repeated or out of order
                content.Add(new ByteArrayContent(GoodBundle(random)), "bundle", "b.tar.gz");
                content.Add(new StringContent(MutatedSpec(random), Encoding.UTF8, "application/json"), "spec");
                if (random.Next(2) == 0)
                {
                    content.Add(new StringContent("""{"command":["true"]}"""), "spec");
                }
                return content;
        }
    }

    private static string MutatedSpec(Random random)
    {
        string[] specs =
        [
            """{"command":["true"]}""",
            """{"command":["python","train.py"],"env":{"LR":"0.1"},"priority":5,"project":"p","name":"n","image":"python:3.12"}""",
        ];
        var spec = specs[random.Next(specs.Length)];
        return random.Next(7) switch
        {
            0 => spec[..random.Next(spec.Length)],
            1 => spec.Replace("\"true\"", random.Next(2) == 0 ? "null" : "123", StringComparison.Ordinal),
            2 => spec.Replace("5", "1e309", StringComparison.Ordinal).Replace("\"p\"", "[]", StringComparison.Ordinal),
            3 => spec.Insert(random.Next(spec.Length), HostileInput.Text(random, random.Next(1, 10))),
            4 => "{\"command\":[\"" + new string('x', 40_000) + "\"],\"env\":{\"" + HostileInput.Text(random, 20) + "\":\"v\"}}",
            5 => "[" + spec + "]",
            _ => spec,
        };
    }

    private static byte[] HostileBundle(Random random)
    {
        string[] names = ["../x", "/abs", "a/../../b", "ok/\u0001", "C:/win", "deep/" + string.Join('/', Enumerable.Repeat("d", 100)), "a\\..\\b", ""];
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "fine.txt") { DataStream = new MemoryStream([1]) });
            var name = names[random.Next(names.Length)];
            TarEntry entry = random.Next(5) switch
            {
                0 => new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = "../../../etc" },
                1 => new PaxTarEntry(TarEntryType.HardLink, "hard") { LinkName = "../../etc/passwd" },
                2 => new PaxTarEntry(TarEntryType.BlockDevice, "dev/sda"),
                3 => new PaxTarEntry(TarEntryType.Fifo, "fifo"),
                _ => new PaxTarEntry(TarEntryType.RegularFile, name.Length == 0 ? "." : name) { DataStream = new MemoryStream([2]) },
            };
            try
            {
                tar.WriteEntry(entry);
            }
            catch (ArgumentException)
            {
                // The writer refuses some names itself; the bundle still has its first entry.
            }
        }
        return buffer.ToArray();
    }

    private static byte[] GoodBundle(Random random)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            for (var i = 0; i < random.Next(1, 5); i++)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"f{i}.txt") { DataStream = new MemoryStream(RandomBytes(random, 200)) });
            }
        }
        return buffer.ToArray();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
