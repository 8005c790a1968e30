using System.Text.Json;
using System.Text.RegularExpressions;
using Atlas.Core.Jobs;
using Atlas.Testing;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// Issue 4 end to end: the real CLI logs in to a cluster with login on against a real OpenID
/// Connect provider (device flow approved programmatically, client credentials), submits, and each
/// caller sees only their own jobs while an admin sees all; the CLI renews its token mid-session.
/// </summary>
public sealed partial class LoginTests(AuthClusterFixture fixture) : IClassFixture<AuthClusterFixture>, IDisposable
{
    private readonly TempFolder _project = new("atlas-project");
    private readonly List<TempFolder> _homes = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _project.Dispose();
        foreach (var home in _homes)
        {
            home.Dispose();
        }
    }

    [Fact]
    public async Task DeviceLoginSubmitAndList_JobVisibleToOwnerAndAdminOnly_TokenRenewedMidSession()
    {
        File.WriteAllText(_project.Combine("run.sh"), "echo \"hello from $ATLAS_PROJECT\"\n");
        var (alice, aliceHome) = await LogInAsync("alice");
        var (bob, _) = await LogInAsync("bob");
        var (admin, _) = await LogInAsync("admin");

        var whoami = await alice.RunAsync("whoami");
        whoami.ExitCode.ShouldBe(0, whoami.Stderr);
        whoami.Stdout.ShouldContain("user:      alice");
        whoami.Stdout.ShouldContain("roles:     atlas-user");

        var submit = await alice.RunAsync("submit", "--wait", "--project", "owned", _project.Path, "--", "sh", "run.sh");
        submit.ExitCode.ShouldBe(0, submit.Stderr + fixture.Cluster.Output);
        var id = submit.Stdout.Split('\n')[0].Trim();
        JobId.IsValid(id).ShouldBeTrue(submit.Stdout);
        submit.Stdout.ShouldContain("hello from owned");

        (await alice.RunAsync("ls")).Stdout.ShouldContain(id);
        (await alice.RunAsync("status", id)).ExitCode.ShouldBe(0);

        var bobList = await bob.RunAsync("ls");
        bobList.ExitCode.ShouldBe(0, bobList.Stderr);
        bobList.Stdout.ShouldNotContain(id);
        var bobStatus = await bob.RunAsync("status", id);
        bobStatus.ExitCode.ShouldBe(1);
        bobStatus.Stderr.ShouldContain("(404)");
        (await bob.RunAsync("logs", id)).Stderr.ShouldContain("(404)");

        var adminList = await admin.RunAsync("ls");
        adminList.ExitCode.ShouldBe(0, adminList.Stderr);
        adminList.Stdout.ShouldContain(id);
        (await admin.RunAsync("status", id)).ExitCode.ShouldBe(0);

        // Mid-session: alice's access token from login has expired by now or soon will; her next
        // command renews it with the refresh token before calling, and the gateway takes the new one.
        var before = AccessToken(aliceHome);
        await JwtPayload.WaitUntilExpiredAsync(before, Ct);
        var later = await alice.RunAsync("status", id);
        later.ExitCode.ShouldBe(0, later.Stderr);
        AccessToken(aliceHome).ShouldNotBe(before);
    }

    [Fact]
    public async Task ClientCredentialsLogin_BotSubmitsAndSeesOnlyItsOwnJobs()
    {
        var home = NewHome();
        var bot = new AtlasCli(fixture.Cluster.GatewayUrl, home.Path,
            new Dictionary<string, string> { ["ATLAS_CLIENT_SECRET"] = OidcProviderServer.BotClientSecret });
        var login = await bot.RunAsync("login", "--client-id", OidcProviderServer.BotClientId);
        login.ExitCode.ShouldBe(0, login.Stderr);
        login.Stdout.ShouldContain("as service-account-atlas-ci-bot");
        File.WriteAllText(_project.Combine("ci.sh"), "echo ci\n");

        var submit = await bot.RunAsync("submit", "--project", "ci", _project.Path, "--", "sh", "ci.sh");
        submit.ExitCode.ShouldBe(0, submit.Stderr);
        var id = submit.Stdout.Trim();

        (await bot.RunAsync("status", id)).ExitCode.ShouldBe(0);
        var (alice, _) = await LogInAsync("alice");
        (await alice.RunAsync("status", id)).Stderr.ShouldContain("(404)");
    }

    [Fact]
    public async Task NoLogin_AnyVerb_OneLineToLogIn()
    {
        var cli = new AtlasCli(fixture.Cluster.GatewayUrl, NewHome().Path);

        var ls = await cli.RunAsync("ls");

        ls.ExitCode.ShouldBe(1);
        ls.Stderr.ShouldBe($"error: the cluster at {fixture.Cluster.GatewayUrl}/ wants you to log in: run 'atlas login'\n");
    }

    [Fact]
    public async Task StopAllQueuedAndPriority_Users_ActOnTheirOwnOnly_AdminNamesOthers()
    {
        var (alice, _) = await LogInAsync("alice");
        var (bob, _) = await LogInAsync("bob");
        var (admin, _) = await LogInAsync("admin");
        var bobs = await bob.RunAsync("submit", _project.Path, "--", "sleep", "1");
        bobs.ExitCode.ShouldBe(0, bobs.Stderr);

        var refused = await alice.RunAsync("stop", "--all-queued", "--everyone");
        refused.ExitCode.ShouldBe(1);
        refused.Stderr.ShouldContain("not an admin");
        refused.Stderr.ShouldContain("(403)");
        (await alice.RunAsync("stop", "--all-queued", "--user", "bob")).Stderr.ShouldContain("(403)");
        var own = await alice.RunAsync("stop", "--all-queued");
        own.ExitCode.ShouldBe(0, own.Stderr);
        own.Stdout.ShouldEndWith(" of your waiting jobs cancelled\n");
        (await alice.RunAsync("priority", bobs.Stdout.Trim(), "5")).Stderr.ShouldContain("(404)");

        var named = await admin.RunAsync("stop", "--all-queued", "--user", "bob");
        named.ExitCode.ShouldBe(0, named.Stderr);
        named.Stdout.ShouldEndWith(" of bob's waiting jobs cancelled\n");
    }

    // `atlas login` as a process; when it prints the code, the person approves it (the provider's test-only endpoint).
    private async Task<(AtlasCli Cli, string Home)> LogInAsync(string account)
    {
        var home = NewHome();
        var cli = new AtlasCli(fixture.Cluster.GatewayUrl, home.Path);
        var login = await cli.RunAsync(async line =>
        {
            if (UserCode().Match(line) is { Success: true } match)
            {
                await fixture.Provider.ApproveDeviceAsync(match.Groups[1].Value, account, Ct);
            }
        }, "login");
        login.ExitCode.ShouldBe(0, login.Stderr + fixture.Provider.Output);
        login.Stdout.ShouldContain($"as {account} ");
        return (cli, home.Path);
    }

    private TempFolder NewHome()
    {
        var home = new TempFolder("atlas-home");
        _homes.Add(home);
        return home;
    }

    private static string AccessToken(string home)
    {
        var file = Directory.GetFiles(Path.Combine(home, ".atlas", "sessions")).ShouldHaveSingleItem();
        using var session = JsonDocument.Parse(File.ReadAllText(file));
        return session.RootElement.GetProperty("accessToken").GetString()!;
    }

    [GeneratedRegex(@"enter the code (\S+)")]
    private static partial Regex UserCode();
}
