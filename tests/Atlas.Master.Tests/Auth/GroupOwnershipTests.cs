using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Master.Tests.Apis;
using Atlas.Testing;

namespace Atlas.Master.Tests.Auth;

/// <summary>With auth on: groups are owned like jobs, and a dependency on another user's job is refused like an unknown one.</summary>
public sealed class GroupOwnershipTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private AuthMaster _master = null!;
    private HttpClient _client = null!;
    private string _alice = null!;
    private string _bob = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _master = await AuthMaster.StartAsync(redis);
        (_client, _alice, _bob) = (_master.Client, _master.Alice, _master.Bob);
    }

    public ValueTask DisposeAsync() => _master.DisposeAsync();

    [Fact]
    public async Task OthersGroup_SummaryJobsAndStop_Are404_OwnerSeesIt()
    {
        using var submit = await SendAsync(HttpMethod.Post, "/api/v1/groups", _bob, GroupsApiTests.Body("""{"command":["echo","{index}"]}""", """{"array":{"start":0,"end":1}}"""));
        submit.StatusCode.ShouldBe(HttpStatusCode.Created);
        var group = (await submit.Content.ReadFromJsonAsync<GroupView>(AtlasJson.Options, Ct))!;
        group.Owner.ShouldBe("sub-bob");

        foreach (var (method, path) in new[] { (HttpMethod.Get, ""), (HttpMethod.Get, "/jobs"), (HttpMethod.Post, "/stop") })
        {
            using var response = await SendAsync(method, $"/api/v1/groups/{group.Id}{path}", _alice);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
        }
        using var own = await SendAsync(HttpMethod.Get, $"/api/v1/groups/{group.Id}", _bob);
        own.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await own.Content.ReadFromJsonAsync<GroupView>(AtlasJson.Options, Ct))!.Counts["queued"].ShouldBe(2); // alice's stop changed nothing
    }

    [Fact]
    public async Task Submit_AfterAnotherUsersJob_Is400NamingTheId()
    {
        var bobs = await _client.SubmitAsync("/api/v1/jobs", _bob, """{"command":["true"]}""", Ct);

        using var response = await SendAsync(HttpMethod.Post, "/api/v1/jobs", _alice,
            JobUpload.Multipart($$"""{"command":["true"],"after":["{{bobs.Id}}"]}""", JobUpload.Bundle(("a.txt", "a"))));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors").GetProperty("after")[0].GetString()!.ShouldContain(bobs.Id);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _client.SendAsync(request, Ct);
    }
}
