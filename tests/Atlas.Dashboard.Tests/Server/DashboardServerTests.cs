extern alias web;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace Atlas.Dashboard.Tests.Server;

/// <summary>
/// The dashboard's own server, in-process: the bundled page, its settings, and /api passed to the
/// gateway with the caller's token. The gateway here is a small real Kestrel app on loopback that
/// answers with what it received (the browser tests use the real one).
/// </summary>
public sealed class DashboardServerTests : IAsyncLifetime
{
    private WebApplication _gateway = null!;
    private string _gatewayUrl = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _gatewayUrl = $"http://127.0.0.1:{LoopbackPorts.Next()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(_gatewayUrl);
        _gateway = builder.Build();
        _gateway.Map("/api/{**rest}", (HttpRequest request) => Results.Json(new
        {
            path = request.Path.Value + request.QueryString.Value,
            authorization = request.Headers.Authorization.ToString(),
        }));
        await _gateway.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Api_WithBearerToken_ReachesTheGatewayUnchanged()
    {
        await using var dashboard = Dashboard(_gatewayUrl);
        using var http = dashboard.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/jobs/query?project=a%20b&limit=5");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "user-token");

        using var response = await http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var seen = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        seen.GetProperty("path").GetString().ShouldBe("/api/v1/jobs/query?project=a%20b&limit=5");
        seen.GetProperty("authorization").GetString().ShouldBe("Bearer user-token");
    }

    [Fact]
    public async Task Api_WithTheGatewayDown_AnswersAProblemThatSaysSo()
    {
        // A loopback port nothing listens on: the connection is refused, as when the gateway is down.
        await using var dashboard = Dashboard($"http://127.0.0.1:{LoopbackPorts.Next()}");
        using var http = dashboard.CreateClient();

        using var response = await http.GetAsync("/api/v1/jobs/query", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("title").GetString().ShouldBe("The cluster's API is not reachable.");
        problem.GetProperty("detail").GetString()!.ShouldContain("could not reach the Atlas gateway");
    }

    [Fact]
    public async Task Root_ServesTheBundledPageFromHereOnly()
    {
        await using var dashboard = Dashboard(_gatewayUrl);
        using var http = dashboard.CreateClient();

        using var page = await http.GetAsync("/", Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        using var script = await http.GetAsync("/app.js", Ct);

        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("<script type=\"module\" src=\"/app.js\">");
        html.ShouldNotContain("https://");
        page.Headers.CacheControl!.NoCache.ShouldBeTrue();
        page.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("default-src 'self'");
        script.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await script.Content.ReadAsStringAsync(Ct)).Length.ShouldBeGreaterThan(10_000); // uPlot is bundled in
    }

    [Fact]
    public async Task Config_NamesTheClientAndTheTracesUrl()
    {
        await using var dashboard = Dashboard(_gatewayUrl, ("Atlas:Dashboard:TracesUrl", "http://localhost:18888"));
        using var http = dashboard.CreateClient();

        var config = await http.GetFromJsonAsync<JsonElement>("/dashboard/config", Ct);

        config.GetProperty("clientId").GetString().ShouldBe("atlas-dashboard");
        config.GetProperty("tracesUrl").GetString().ShouldBe("http://localhost:18888");
    }

    [Fact]
    public async Task Api_GatewayDown_502NotAHang()
    {
        await using var dashboard = Dashboard($"http://127.0.0.1:{LoopbackPorts.Next()}");
        using var http = dashboard.CreateClient();

        using var response = await http.GetAsync("/api/v1/jobs", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
    }

    [Theory]
    [InlineData(null, "services__gateway__http__0")]
    [InlineData("not a url", "must be http(s) URLs")]
    public void Start_BadGateway_FailsNamingTheSetting(string? gateway, string expected)
    {
        using var dashboard = Dashboard(gateway);

        var error = Should.Throw<OptionsValidationException>(() => dashboard.CreateClient());

        error.Message.ShouldContain(expected);
    }

    private static WebApplicationFactory<web::Program> Dashboard(string? gateway, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<web::Program>().WithWebHostBuilder(b =>
        {
            if (gateway is not null)
            {
                b.UseSetting("services:gateway:http:0", gateway);
            }
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }
        });
}
