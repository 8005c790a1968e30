using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Xunit;

namespace Atlas.Testing;

/// <summary>API calls as a user with a bearer token (or none) makes them, for the auth tests of every service.</summary>
public static class BearerCalls
{
    /// <summary>Sends <paramref name="method"/> to <paramref name="url"/> with <paramref name="token"/> (none when null).</summary>
    public static async Task<HttpResponseMessage> SendAsync(this HttpClient http, HttpMethod method, string url, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await http.SendAsync(request, cancellationToken);
    }

    /// <summary>A GET that must answer 200, read as <typeparamref name="T"/> in Atlas's JSON shape.</summary>
    public static async Task<T> GetAsync<T>(this HttpClient http, string url, string token, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(HttpMethod.Get, url, token, cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        return (await response.Content.ReadFromJsonAsync<T>(AtlasJson.Options, cancellationToken))!;
    }

    /// <summary>Submits a job with <paramref name="spec"/> and a one-file bundle; it must be created.</summary>
    public static async Task<JobView> SubmitAsync(this HttpClient http, string url, string token, string spec, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JobUpload.Multipart(spec, JobUpload.Bundle(("a.txt", "a"))) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"submit: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        return (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, cancellationToken))!;
    }
}
