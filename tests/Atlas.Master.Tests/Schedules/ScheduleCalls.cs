using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Schedules;
using Atlas.Testing;

namespace Atlas.Master.Tests.Schedules;

/// <summary>The schedule API's calls as the CLI makes them (multipart add), with or without a bearer token.</summary>
internal static class ScheduleCalls
{
    public static MultipartFormDataContent AddBody(string? cron, string? spec = """{"command":["true"]}""", string? name = null, string? timeZone = null, byte[]? bundle = null, bool withBundle = true)
    {
        var content = new MultipartFormDataContent();
        if (cron is not null)
        {
            content.Add(new StringContent(cron), "cron");
        }
        if (name is not null)
        {
            content.Add(new StringContent(name), "name");
        }
        if (timeZone is not null)
        {
            content.Add(new StringContent(timeZone), "timezone");
        }
        if (spec is not null)
        {
            var part = new StringContent(spec, Encoding.UTF8);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            content.Add(part, "spec");
        }
        if (withBundle)
        {
            var part = new ByteArrayContent(bundle ?? JobUpload.Bundle(("run.sh", "echo hi")));
            part.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
            content.Add(part, "bundle", "bundle.tar.gz");
        }
        return content;
    }

    public static async Task<HttpResponseMessage> PostAsync(this HttpClient http, string url, HttpContent? content, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await http.SendAsync(request, cancellationToken);
    }

    public static async Task<ScheduleView> AddScheduleAsync(this HttpClient http, MultipartFormDataContent body, string? token, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync("/api/v1/schedules", body, token, cancellationToken);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"add: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        return (await response.Content.ReadFromJsonAsync<ScheduleView>(AtlasJson.Options, cancellationToken))!;
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response, CancellationToken cancellationToken) =>
        (await response.Content.ReadFromJsonAsync<T>(AtlasJson.Options, cancellationToken))!;

    /// <summary>Every job a schedule submitted, read from the API (its tag names the schedule).</summary>
    public static async Task<List<JobView>> JobsOfAsync(this HttpClient http, string scheduleId, CancellationToken cancellationToken)
    {
        var jobs = (await http.GetFromJsonAsync<List<JobView>>("/api/v1/jobs?limit=10000", AtlasJson.Options, cancellationToken))!;
        return [.. jobs.Where(j => j.Tags.TryGetValue(Master.Schedules.ScheduledSpec.ScheduleTag, out var s) && s == scheduleId)];
    }

    /// <summary>Waits until the schedule has no claimed tick still being submitted (after a pause, its last job is then recorded).</summary>
    public static Task SettledAsync(StackExchange.Redis.IConnectionMultiplexer redis, string scheduleId, CancellationToken cancellationToken) =>
        EventuallyAsync(() => redis.GetDatabase().HashExistsAsync(Core.Storage.RedisKeys.Schedule(scheduleId), "pendingJob"), pending => !pending,
            TimeSpan.FromSeconds(20), "the last claimed tick submitted", cancellationToken);

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds, failing after <paramref name="within"/>.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan within, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what}: not within {within.TotalSeconds} s");
            }
            await Task.Delay(100, cancellationToken);
        }
    }
}
