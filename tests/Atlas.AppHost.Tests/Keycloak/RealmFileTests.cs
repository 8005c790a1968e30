using System.Text.Json;
using Atlas.Core;

namespace Atlas.AppHost.Tests.Keycloak;

/// <summary>
/// <c>keycloak/atlas-realm.json</c>, the realm <c>--auth</c> imports, holds what the services and
/// the CLI rely on. (Keycloak itself is not available here to import it.)
/// </summary>
public class RealmFileTests
{
    private static readonly JsonElement Realm = Load();

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

    private static void HasAudienceMapper(JsonElement client)
    {
        var mapper = client.GetProperty("protocolMappers").EnumerateArray().Single(m => m.GetProperty("protocolMapper").GetString() == "oidc-audience-mapper");
        var config = mapper.GetProperty("config");
        config.GetProperty("included.custom.audience").GetString().ShouldBe("atlas-api");
        config.GetProperty("access.token.claim").GetString().ShouldBe("true");
    }

    private static JsonElement Client(string id) =>
        Realm.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("clientId").GetString() == id);

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static JsonElement Load()
    {
        var path = Path.Combine(AtlasBuildInfo.RepoRoot(typeof(RealmFileTests).Assembly), "keycloak", "atlas-realm.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }
}
