using System.Text.Json;
using Atlas.Testing;

namespace Atlas.Master.Tests.Table;

/// <summary>With auth on, the job table and its projects show a user only their own jobs; an admin sees all.</summary>
public sealed class JobTableOwnershipTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private TestIssuer _issuer = null!;
    private MasterFactory _factory = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _issuer = await TestIssuer.StartAsync();
        _factory = new MasterFactory(redis, _issuer.Authority);
        _client = _factory.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public async Task Query_OtherUsersJobs_NotListed()
    {
        var alice = _issuer.Mint("sub-alice", "alice");
        var bob = _issuer.Mint("sub-bob", "bob");
        var admin = _issuer.Mint("sub-root", "root", ["atlas-admin"]);
        var project = $"own-{Guid.NewGuid():N}"[..16];
        var spec = JsonSerializer.Serialize(new { command = new[] { "true" }, project });
        var bobs = await _client.SubmitAsync("/api/v1/jobs", bob, spec, Ct);
        var alices = await _client.SubmitAsync("/api/v1/jobs", alice, spec, Ct);

        var asAlice = await _client.GetAsync<JsonElement>($"/api/v1/jobs/query?project={project}", alice, Ct);
        var asAdmin = await _client.GetAsync<JsonElement>($"/api/v1/jobs/query?project={project}", admin, Ct);
        var projects = await _client.GetAsync<JsonElement>("/api/v1/jobs/query/projects", alice, Ct);

        asAlice.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ShouldBe([alices.Id]);
        asAdmin.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).Order().ShouldBe(new[] { alices.Id, bobs.Id }.Order());
        projects.EnumerateArray().Single(p => p.GetProperty("project").GetString() == project).GetProperty("jobs").GetInt32().ShouldBe(1);
    }
}
