using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;

namespace Atlas.EndToEnd.Tests;

/// <summary>Submits jobs through the gateway's REST API (a spec and an empty bundle) and follows them to their end.</summary>
internal static class GatewayJobs
{
    /// <summary>POSTs <paramref name="spec"/>; the response, for the caller to judge.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, JobSpec spec, CancellationToken cancellationToken)
    {
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent(JsonSerializer.Serialize(spec, AtlasJson.Options), Encoding.UTF8, "application/json"), "spec");
        var bundle = new ByteArrayContent([]);
        bundle.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        content.Add(bundle, "bundle", "b.tar.gz");
        return await http.PostAsync("/api/v1/jobs", content, cancellationToken);
    }

    /// <summary>POSTs a group (a sweep or an array) of <paramref name="spec"/>; the response, for the caller to judge.</summary>
    public static async Task<HttpResponseMessage> PostGroupAsync(HttpClient http, JobSpec spec, GroupSpec group, CancellationToken cancellationToken)
    {
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent(JsonSerializer.Serialize(spec, AtlasJson.Options), Encoding.UTF8, "application/json"), "spec");
        content.Add(new StringContent(JsonSerializer.Serialize(group, AtlasJson.Options), Encoding.UTF8, "application/json"), "group");
        var bundle = new ByteArrayContent([]);
        bundle.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        content.Add(bundle, "bundle", "b.tar.gz");
        return await http.PostAsync("/api/v1/groups", content, cancellationToken);
    }

    /// <summary>Submits <paramref name="spec"/> and returns the new job's id; throws unless it was accepted.</summary>
    public static async Task<string> SubmitAsync(HttpClient http, JobSpec spec, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(http, spec, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, cancellationToken))!.Id;
    }

    /// <summary>The job as the gateway shows it now: one HTTP read, cheap enough to take while a log line is being handled.</summary>
    public static async Task<JobView> GetAsync(HttpClient http, string id, CancellationToken cancellationToken) =>
        (await http.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options, cancellationToken))!;

    /// <summary>Polls the job until it has ended or <paramref name="timeout"/> has passed; its last view either way.</summary>
    public static Task<JobView> WaitEndedAsync(HttpClient http, string id, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitForAsync(http, id, j => JobStateMachine.IsTerminal(j.State), timeout, cancellationToken);

    /// <summary>Polls the job until <paramref name="until"/> holds or <paramref name="timeout"/> has passed; its last view either way.</summary>
    public static async Task<JobView> WaitForAsync(HttpClient http, string id, Func<JobView, bool> until, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = await GetAsync(http, id, cancellationToken);
            if (until(job) || DateTime.UtcNow > deadline)
            {
                return job;
            }
            await Task.Delay(100, cancellationToken);
        }
    }
}
