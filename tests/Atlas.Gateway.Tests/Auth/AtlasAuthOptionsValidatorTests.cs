using Atlas.Api.Auth;

namespace Atlas.Gateway.Tests.Auth;

/// <summary><c>Atlas:Auth</c> is checked at start, and what is wrong is said in words.</summary>
public sealed class AtlasAuthOptionsValidatorTests
{
    [Fact]
    public void Validate_Disabled_AcceptsAnything()
    {
        new AtlasAuthOptionsValidator().Validate(null, new AtlasAuthOptions { Audience = "" }).Succeeded.ShouldBeTrue();
    }

    [Theory]
    [InlineData(null, "atlas-api", "realm_access.roles", 30, "Authority is not set")]
    [InlineData("keycloak/realms/atlas", "atlas-api", "realm_access.roles", 30, "must be an http(s) URL")]
    [InlineData("http://keycloak.example.com/realms/atlas", "atlas-api", "realm_access.roles", 30, "plain http")]
    [InlineData("https://keycloak.example.com/realms/atlas", "", "realm_access.roles", 30, "Audience is empty")]
    [InlineData("https://keycloak.example.com/realms/atlas", "atlas-api", "realm_access..roles", 30, "RoleClaim")]
    [InlineData("https://keycloak.example.com/realms/atlas", "atlas-api", "realm_access.roles", 301, "ClockSkewSeconds")]
    public void Validate_BadSetting_NamesIt(string? authority, string audience, string roleClaim, int skew, string message)
    {
        var options = new AtlasAuthOptions { Enabled = true, Authority = authority, Audience = audience, RoleClaim = roleClaim, ClockSkewSeconds = skew };

        var result = new AtlasAuthOptionsValidator().Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain(message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/realms/atlas")]
    [InlineData("http://localhost:8080/realms/atlas")]
    [InlineData("https://keycloak.example.com/realms/atlas")]
    public void Validate_HttpsOrLoopback_Succeeds(string authority)
    {
        var options = new AtlasAuthOptions { Enabled = true, Authority = authority };

        new AtlasAuthOptionsValidator().Validate(null, options).Succeeded.ShouldBeTrue();
        options.Issuers.ShouldBe([authority]);
    }

    [Fact]
    public void Issuers_Configured_ReplaceTheAuthority()
    {
        var options = new AtlasAuthOptions { Enabled = true, Authority = "http://keycloak:8080/realms/atlas", RequireHttpsMetadata = false };
        options.ValidIssuers.Add("http://keycloak:8080/realms/atlas");
        options.ValidIssuers.Add("https://login.example.com/realms/atlas");

        new AtlasAuthOptionsValidator().Validate(null, options).Succeeded.ShouldBeTrue();
        options.Issuers.Count.ShouldBe(2);
    }
}
