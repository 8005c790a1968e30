using System.Text.Json;
using Atlas.Testing;
using static Microsoft.Playwright.Assertions;

namespace Atlas.Dashboard.Tests.Browser;

/// <summary>Login through the provider (authorization code + PKCE), and the API's ownership rules as the browser sees them.</summary>
public sealed class AuthDashboardTests(AuthDashboardFixture fixture) : IClassFixture<AuthDashboardFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Login_Alice_SeesHerJobAndNotBobs()
    {
        var project = $"own-{Guid.NewGuid():N}"[..16];
        using var gateway = new HttpClient { BaseAddress = new Uri(fixture.Cluster.GatewayUrl) };
        var spec = JsonSerializer.Serialize(new { command = new[] { "sh", "-c", "sleep 30" }, project, name = project });
        var bobs = await gateway.SubmitAsync("/api/v1/jobs", await fixture.Provider.UserAccessTokenAsync("bob", Ct), spec, Ct);
        var alices = await gateway.SubmitAsync("/api/v1/jobs", await fixture.Provider.UserAccessTokenAsync("alice", Ct), spec, Ct);
        var page = await fixture.Chromium.OpenAsync($"{fixture.Cluster.DashboardUrl}/#/jobs?project={project}");

        await page.Locator("#login").ClickAsync();
        await page.Locator("#account").FillAsync("alice");
        await page.Locator("#sign-in").ClickAsync();

        await Expect(page.Locator("#username")).ToHaveTextAsync("alice", new() { Timeout = 30_000 });
        await Expect(page.Locator($"tr[data-job='{alices.Id}']")).ToBeVisibleAsync();
        await Expect(page.Locator("#jobs-summary")).ToHaveTextAsync("Jobs 1–1 of 1");
        await Expect(page.Locator($"tr[data-job='{bobs.Id}']")).ToHaveCountAsync(0);

        await page.GotoAsync($"{fixture.Cluster.DashboardUrl}/#/job/{bobs.Id}");
        await Expect(page.Locator("#error")).ToContainTextAsync("not found", new() { IgnoreCase = true });
    }

    [Fact]
    public async Task NotLoggedIn_AskedToLogInAndShownNoJobs()
    {
        var page = await fixture.Chromium.OpenAsync($"{fixture.Cluster.DashboardUrl}/#/jobs");

        await Expect(page.Locator("#login")).ToBeVisibleAsync();
        await Expect(page.Locator("#jobs")).ToHaveCountAsync(0);
    }
}
