using System.Text.Json;

namespace Atlas.Cli.Auth;

/// <summary>OAuth and OpenID Connect documents are snake_case (<c>access_token</c>, <c>token_endpoint</c>).</summary>
internal static class OidcJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
