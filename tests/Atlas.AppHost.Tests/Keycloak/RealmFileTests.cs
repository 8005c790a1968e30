using System.Text.Json;
using Atlas.Core;

namespace Atlas.AppHost.Tests.Keycloak;

/// <summary>
/// <c>keycloak/atlas-realm.json</c>, the realm <c>--auth</c> imports, holds what the services and
/// the CLI rely on. (Keycloak itself is not available here to import it: <see cref="KeycloakPlaceholders"/>
/// stands in for its placeholder substitution.) <see cref="Realm"/> is the realm as imported with no
/// Atlas variable set.
/// </summary>
public class RealmFileTests
{
    private const string DashboardUrlVariable = "ATLAS_DASHBOARD_URL";

    private static readonly string Text = File.ReadAllText(
        Path.Combine(AtlasBuildInfo.RepoRoot(typeof(RealmFileTests).Assembly), "keycloak", "atlas-realm.json"));

    private static readonly JsonElement Realm = Import(new Dictionary<string, string>());

    [Fact]
    public void Realm_Settings_AtlasWithFiveMinuteAccessTokens()
    {
        Realm.GetProperty("realm").GetString().ShouldBe("atlas");
        Realm.GetProperty("enabled").GetBoolean().ShouldBeTrue();
        Realm.GetProperty("accessTokenLifespan").GetInt32().ShouldBe(300);
        Realm.GetProperty("ssoSessionIdleTimeout").GetInt32().ShouldBeGreaterThan(300);
        Realm.GetProperty("registrationAllowed").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public void Roles_UserAndAdmin_UserGivenToEveryNewUser()
    {
        var roles = Realm.GetProperty("roles").GetProperty("realm").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        roles.Keys.ShouldContain("atlas-user");
        roles.Keys.ShouldContain("atlas-admin");
        var defaults = Realm.GetProperty("defaultRole").GetProperty("name").GetString()!;
        Strings(roles[defaults].GetProperty("composites").GetProperty("realm")).ShouldContain("atlas-user");
    }

    [Fact]
    public void CliClient_PublicDeviceGrantOnlyWithAudience()
    {
        var cli = Client("atlas-cli");
        cli.GetProperty("publicClient").GetBoolean().ShouldBeTrue();
        cli.GetProperty("standardFlowEnabled").GetBoolean().ShouldBeFalse();
        cli.GetProperty("implicitFlowEnabled").GetBoolean().ShouldBeFalse();
        cli.GetProperty("directAccessGrantsEnabled").GetBoolean().ShouldBeFalse();
        cli.GetProperty("attributes").GetProperty("oauth2.device.authorization.grant.enabled").GetString().ShouldBe("true");
        HasAudienceMapper(cli);
    }

    [Fact]
    public void DashboardClient_PublicCodeWithPkceToPort5555WithAudience()
    {
        var dashboard = Client("atlas-dashboard");
        dashboard.GetProperty("publicClient").GetBoolean().ShouldBeTrue();
        dashboard.GetProperty("standardFlowEnabled").GetBoolean().ShouldBeTrue();
        dashboard.GetProperty("implicitFlowEnabled").GetBoolean().ShouldBeFalse();
        dashboard.GetProperty("attributes").GetProperty("pkce.code.challenge.method").GetString().ShouldBe("S256");
        Strings(dashboard.GetProperty("redirectUris")).ShouldAllBe(u => u.Contains(":5555/"));
        Strings(dashboard.GetProperty("redirectUris")).ShouldNotBeEmpty();
        HasAudienceMapper(dashboard);
    }

    [Fact]
    public void Users_EveryOneMarkedDevelopmentOnly_AdminHoldsAdminRole()
    {
        var users = Realm.GetProperty("users").EnumerateArray().ToList();
        users.Select(u => u.GetProperty("username").GetString()).ShouldBe(["alice", "bob", "admin"]);
        foreach (var user in users)
        {
            Strings(user.GetProperty("attributes").GetProperty("atlas.development-only")).ShouldBe(["true"]);
            user.GetProperty("lastName").GetString().ShouldBe("Development-only");
        }
        Strings(users.Single(u => u.GetProperty("username").GetString() == "admin").GetProperty("realmRoles")).ShouldContain("atlas-admin");
        Strings(users.Single(u => u.GetProperty("username").GetString() == "bob").GetProperty("realmRoles")).ShouldNotContain("atlas-admin");
        Realm.GetProperty("attributes").GetProperty("atlas.notice").GetString()!.ShouldContain("development-only");
    }

    [Fact]
    public void File_EveryPlaceholder_TheDashboardUrlWithTheLocalhostDefault()
    {
        using var raw = JsonDocument.Parse(Text);
        raw.RootElement.ValueKind.ShouldBe(JsonValueKind.Object, "the file is JSON before substitution too");
        var placeholders = KeycloakPlaceholders.Find(Text);

        placeholders.ShouldNotBeEmpty();
        placeholders.ShouldAllBe(p => p.Name == DashboardUrlVariable && p.Default == "http://localhost:5555");
    }

    [Fact]
    public void DashboardClient_DashboardUrlUnset_ImportsAsTheLocalhostEntriesOnly()
    {
        var dashboard = Client(Realm, "atlas-dashboard");

        Strings(dashboard.GetProperty("redirectUris")).Distinct().ShouldBe(["http://localhost:5555/*", "http://127.0.0.1:5555/*"], ignoreOrder: true);
        Strings(dashboard.GetProperty("webOrigins")).Distinct().ShouldBe(["http://localhost:5555", "http://127.0.0.1:5555"], ignoreOrder: true);
        dashboard.GetProperty("rootUrl").GetString().ShouldBe("http://localhost:5555");
        PostLogout(dashboard).Distinct().ShouldBe(["http://localhost:5555/*", "http://127.0.0.1:5555/*"], ignoreOrder: true);
        Text.ShouldNotContain("${ATLAS_DASHBOARD_URL}", Case.Sensitive, "every placeholder has a default, so an unset variable never reaches Keycloak as text");
    }

    [Theory]
    [InlineData("https://atlas.example")]
    [InlineData("http://atlas.example:5555")]
    public void DashboardClient_DashboardUrlSet_AcceptsTheDeployedUrlAndStillLocalhost(string url)
    {
        var dashboard = Client(Import(new Dictionary<string, string> { [DashboardUrlVariable] = url }), "atlas-dashboard");

        var redirects = Strings(dashboard.GetProperty("redirectUris"));
        redirects.ShouldContain(url + "/*");
        redirects.ShouldContain("http://localhost:5555/*");
        redirects.ShouldContain("http://127.0.0.1:5555/*");
        Strings(dashboard.GetProperty("webOrigins")).ShouldContain(url);
        dashboard.GetProperty("rootUrl").GetString().ShouldBe(url);
        PostLogout(dashboard).ShouldContain(url + "/*");
        // The dashboard sends `${location.origin}/` as its redirect_uri (Frontend/src/auth.js): the deployed one matches.
        redirects.ShouldContain(r => Matches(r, url + "/"));
        redirects.ShouldNotContain(r => Matches(r, "https://evil.example/"));
    }

    private static bool Matches(string pattern, string uri) =>
        pattern.EndsWith("/*", StringComparison.Ordinal) ? uri.StartsWith(pattern[..^1], StringComparison.Ordinal) : uri == pattern;

    private static List<string> PostLogout(JsonElement client) =>
        [.. client.GetProperty("attributes").GetProperty("post.logout.redirect.uris").GetString()!.Split("##")];

    private static void HasAudienceMapper(JsonElement client)
    {
        var mapper = client.GetProperty("protocolMappers").EnumerateArray().Single(m => m.GetProperty("protocolMapper").GetString() == "oidc-audience-mapper");
        var config = mapper.GetProperty("config");
        config.GetProperty("included.custom.audience").GetString().ShouldBe("atlas-api");
        config.GetProperty("access.token.claim").GetString().ShouldBe("true");
    }

    private static JsonElement Client(string id) => Client(Realm, id);

    private static JsonElement Client(JsonElement realm, string id) =>
        realm.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("clientId").GetString() == id);

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>The realm as Keycloak imports it with <paramref name="environment"/>.</summary>
    private static JsonElement Import(IReadOnlyDictionary<string, string> environment)
    {
        using var doc = JsonDocument.Parse(KeycloakPlaceholders.Replace(Text, environment));
        return doc.RootElement.Clone();
    }
}
