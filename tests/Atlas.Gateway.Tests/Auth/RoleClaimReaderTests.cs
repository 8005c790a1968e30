using System.Text.Json;
using Atlas.Api.Auth;

namespace Atlas.Gateway.Tests.Auth;

/// <summary>Roles are found wherever the configured claim path points, for Keycloak and for other providers.</summary>
public sealed class RoleClaimReaderTests
{
    [Theory]
    [InlineData("""{"realm_access":{"roles":["atlas-user","offline_access"]}}""", "realm_access.roles", "atlas-user,offline_access")]
    [InlineData("""{"roles":["atlas-admin"]}""", "roles", "atlas-admin")]
    [InlineData("""{"groups":"atlas-user"}""", "groups", "atlas-user")]
    [InlineData("""{"https://example.com/roles":["atlas-user"]}""", "https://example.com/roles", "atlas-user")]
    [InlineData("""{"realm_access":{"roles":"x","other":1}}""", "realm_access.missing", "")]
    [InlineData("""{"realm_access":["atlas-admin"]}""", "realm_access.roles", "")]
    [InlineData("""{"roles":[1,{"a":"atlas-admin"},"atlas-user"]}""", "roles", "atlas-user")]
    public void Read_Path_FindsRoles(string payload, string path, string expected)
    {
        using var doc = JsonDocument.Parse(payload);

        string.Join(',', RoleClaimReader.Read(doc.RootElement, path)).ShouldBe(expected);
    }
}
