using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Atlas.Testing;

namespace Atlas.Master.Tests.Schedules;

/// <summary>
/// Hostile ids, names and bodies against the schedule API of the real master over real HTTP
/// (Kestrel on loopback): every answer is a 2xx or a 4xx ProblemDetails, never a 5xx, and a
/// refused add stores nothing. A failure prints its seed; set ATLAS_FUZZ_SEED to replay it.
/// </summary>
public sealed class ScheduleBadInputTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private MasterFactory _factory = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
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
    public async Task ScheduleEndpoints_HostileKeys_NeverA5xx()
    {
        var seed = HostileInput.Seed(output);
        var random = new Random(seed);
        foreach (var key in HostileInput.PathIds(random, 40))
        {
            foreach (var (method, path) in new[]
            {
                (HttpMethod.Get, $"/api/v1/schedules/{key}"), (HttpMethod.Post, $"/api/v1/schedules/{key}/pause"),
                (HttpMethod.Post, $"/api/v1/schedules/{key}/resume"), (HttpMethod.Delete, $"/api/v1/schedules/{key}"),
            })
            {
                using var response = await _client.SendAsync(new HttpRequestMessage(method, path), Ct);
                ((int)response.StatusCode).ShouldBeLessThan(500, $"seed {seed}: {method} {path}");
            }
        }
        (await _client.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AddSchedule_HostileFields_NeverA5xxAndStoresNothing()
    {
        var seed = HostileInput.Seed(output);
        var random = new Random(seed);
        string[] values = ["", " ", "\0", new string('x', 5000), "0 3 * * * * *", "@daily", "0 3 * * * ?", "*/0 * * * *", "0 3 L * *", "0 3 * * 8",
            "../../etc", "%00", "\u202e", "0 3 31 2 *", "{\"a\":1}", "nul\0name"];
        for (var round = 0; round < 60; round++)
        {
            using var body = new MultipartFormDataContent();
            body.Add(new StringContent(values[random.Next(values.Length)]), "cron");
            if (random.Next(2) == 0)
            {
                body.Add(new StringContent(values[random.Next(values.Length)]), "timezone");
            }
            if (random.Next(2) == 0)
            {
                body.Add(new StringContent(values[random.Next(values.Length)]), "name");
            }
            var spec = new StringContent(random.Next(3) == 0 ? values[random.Next(values.Length)] : """{"command":["true"]}""", Encoding.UTF8);
            spec.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            body.Add(spec, "spec");
            var bundle = new ByteArrayContent(random.Next(2) == 0 ? Encoding.UTF8.GetBytes(values[random.Next(values.Length)]) : JobUpload.Bundle(("a", "a")));
            body.Add(bundle, "bundle", "bundle.tar.gz");

            using var response = await _client.PostAsync("/api/v1/schedules", body, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            ((int)response.StatusCode).ShouldBeLessThan(500, $"seed {seed}, round {round}: {text}");
            if ((int)response.StatusCode >= 400)
            {
                response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", $"seed {seed}, round {round}");
            }
            else
            {
                // A valid one slipped through (e.g. "0 3 * * 8" is not, "0 3 L * *" is): remove it so the check below holds.
                using var created = System.Text.Json.JsonDocument.Parse(text);
                using var removed = await _client.DeleteAsync($"/api/v1/schedules/{created.RootElement.GetProperty("id").GetString()}", Ct);
            }
        }
        var uploads = Path.Combine(_factory.Shared.Path, "uploads");
        (Directory.Exists(uploads) ? Directory.GetFileSystemEntries(uploads) : []).ShouldBeEmpty($"seed {seed}");
        var schedules = Path.Combine(_factory.Shared.Path, "schedules");
        (Directory.Exists(schedules) ? Directory.GetFileSystemEntries(schedules) : []).ShouldBeEmpty($"seed {seed}");
        (await _client.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
