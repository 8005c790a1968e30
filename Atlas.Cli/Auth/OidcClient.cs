using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Atlas.Cli.Auth;

/// <summary>
/// The identity provider's standard endpoints, as the CLI uses them: discovery, device
/// authorization (RFC 8628), token (RFC 6749) and revocation (RFC 7009). Failures to reach it or
/// to read it become one line naming the provider.
/// </summary>
public sealed class OidcClient(HttpMessageHandler? handler = null) : IDisposable
{
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null)
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async Task<OidcMetadata> DiscoverAsync(string authority, CancellationToken cancellationToken)
    {
        var url = authority.TrimEnd('/') + "/.well-known/openid-configuration";
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url), authority, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"the identity provider at {authority} has no discovery document ({(int)response.StatusCode} from {url})");
        }
        var metadata = await ReadAsync<OidcMetadata>(response, authority, cancellationToken);
        if (string.IsNullOrEmpty(metadata.TokenEndpoint))
        {
            throw new CliException($"the identity provider at {authority} names no token_endpoint");
        }
        return metadata;
    }

    /// <summary>Starts a device login: the code for the person to approve, and where.</summary>
    public async Task<DeviceAuthorization> StartDeviceLoginAsync(OidcMetadata metadata, string clientId, string? scopes, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(metadata.DeviceAuthorizationEndpoint))
        {
            throw new CliException($"the identity provider at {metadata.Issuer} does not offer the device flow (no device_authorization_endpoint)");
        }
        var form = new Dictionary<string, string> { ["client_id"] = clientId };
        if (!string.IsNullOrWhiteSpace(scopes))
        {
            form["scope"] = scopes;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, metadata.DeviceAuthorizationEndpoint) { Content = new FormUrlEncodedContent(form) };
        using var response = await SendAsync(request, metadata.Issuer, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ReadAsync<TokenResponse>(response, metadata.Issuer, cancellationToken);
            throw new CliException($"the identity provider refused to start a login for client '{clientId}': {Describe(error)}");
        }
        return await ReadAsync<DeviceAuthorization>(response, metadata.Issuer, cancellationToken);
    }

    /// <summary>
    /// One token request. Returns the provider's answer whether it granted tokens or said why not
    /// (<see cref="TokenResponse.Error"/>): the callers decide what each error means.
    /// </summary>
    public async Task<TokenResponse> RequestTokenAsync(
        string tokenEndpoint, IReadOnlyDictionary<string, string> form, ClientSecret? secret, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        Authenticate(request, secret);
        using var response = await SendAsync(request, tokenEndpoint, cancellationToken);
        var answer = await ReadAsync<TokenResponse>(response, tokenEndpoint, cancellationToken);
        if (response.IsSuccessStatusCode && string.IsNullOrEmpty(answer.AccessToken))
        {
            throw new CliException($"the identity provider's token endpoint {tokenEndpoint} answered without an access_token");
        }
        return response.IsSuccessStatusCode || answer.Error is not null
            ? answer
            : answer with { Error = "http_" + (int)response.StatusCode };
    }

    /// <summary>Revokes <paramref name="token"/>; false when the provider refused.</summary>
    public async Task<bool> RevokeAsync(string revocationEndpoint, string token, string tokenTypeHint, string clientId, ClientSecret? secret, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["token"] = token, ["token_type_hint"] = tokenTypeHint };
        if (secret is null)
        {
            form["client_id"] = clientId;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, revocationEndpoint) { Content = new FormUrlEncodedContent(form) };
        Authenticate(request, secret);
        using var response = await SendAsync(request, revocationEndpoint, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The provider's error code and description, as one phrase.</summary>
    public static string Describe(TokenResponse error) =>
        string.IsNullOrEmpty(error.ErrorDescription) ? error.Error ?? "unknown error" : $"{error.Error} ({error.ErrorDescription})";

    // client_secret_basic (RFC 6749 §2.3.1): both parts form-urlencoded before base64.
    private static void Authenticate(HttpRequestMessage request, ClientSecret? secret)
    {
        if (secret is null)
        {
            return;
        }
        var pair = $"{Uri.EscapeDataString(secret.ClientId)}:{Uri.EscapeDataString(secret.Secret)}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string? provider, CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                return await _http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                var why = ex.InnerException is SocketException socket ? socket.SocketErrorCode.ToString() : ex.Message;
                throw new CliException($"cannot reach the identity provider at {provider}: {why}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CliException($"the identity provider at {provider} did not answer within {_http.Timeout.TotalSeconds:0} s");
            }
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string? provider, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(OidcJson.Options, cancellationToken)
                ?? throw new CliException($"the identity provider at {provider} sent an empty answer ({(int)response.StatusCode})");
        }
        catch (JsonException)
        {
            throw new CliException($"the identity provider at {provider} sent an answer that is not JSON ({(int)response.StatusCode})");
        }
    }
}
