using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Atlas.Cli.Auth;
using Atlas.Core;
using Atlas.Core.Bundles;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Core.Schedules;
using Atlas.Core.Tracking;

namespace Atlas.Cli.Api;

/// <summary>The gateway's REST API (<c>/api/v1</c>), typed. Errors become <see cref="AtlasApiException"/> with one readable line.</summary>
/// <param name="gateway">The gateway's URL.</param>
/// <param name="handler">What to send through (the bearer token handler); null for a plain one.</param>
/// <param name="disposeHandler">Whether disposing the client disposes <paramref name="handler"/> too.</param>
/// <param name="time">The clock a retried submit waits on; the system's by default.</param>
public sealed class AtlasApiClient(Uri gateway, HttpMessageHandler? handler = null, bool disposeHandler = false, TimeProvider? time = null) : IDisposable
{
    /// <summary>The header that names a submit, so the cluster answers a replay with the job the first one created.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    private const int SubmitAttempts = 3;

    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null || disposeHandler)
    {
        BaseAddress = gateway,
        Timeout = Timeout.InfiniteTimeSpan, // followed logs last as long as the job
    };

    /// <summary>
    /// Submits a job under an idempotency key (a new one unless given). When the answer is lost —
    /// the gateway cannot be reached, or says no master answered — the same submit is sent again
    /// with the same key, up to three times in all: a submit the cluster did record comes back as
    /// that job, never as a second one.
    /// </summary>
    public Task<JobView> SubmitAsync(
        JobSpec spec, string bundlePath, Action<long, long>? progress, CancellationToken cancellationToken, string? idempotencyKey = null) =>
        SubmitWithRetriesAsync(spec, "bundle", () =>
        {
            var bundle = new ProgressStreamContent(bundlePath, progress);
            bundle.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
            return (bundle, "bundle.tar.gz");
        }, cancellationToken, idempotencyKey);

    /// <summary>
    /// Submits a job whose folder the cluster builds from blobs already uploaded
    /// (<see cref="FindMissingBlobsAsync"/>, <see cref="UploadBlobAsync"/>); retried as <see cref="SubmitAsync"/>.
    /// </summary>
    public Task<JobView> SubmitManifestAsync(JobSpec spec, BundleManifest manifest, CancellationToken cancellationToken, string? idempotencyKey = null) =>
        SubmitWithRetriesAsync(spec, "manifest", () => (JsonContent.Create(manifest, options: AtlasJson.Options), "manifest.json"), cancellationToken, idempotencyKey);

    /// <summary>Which of <paramref name="hashes"/> the caller has not uploaded to the cluster. A 404 means the cluster has no blob API.</summary>
    public async Task<IReadOnlyList<string>> FindMissingBlobsAsync(IReadOnlyList<string> hashes, CancellationToken cancellationToken) =>
        (await SendAsync<MissingBlobsView>(HttpMethod.Post, "api/v1/blobs/missing",
            JsonContent.Create(new MissingBlobsRequest(hashes), options: AtlasJson.Options), cancellationToken)).Missing;

    /// <summary>Uploads one file as the blob <paramref name="sha256"/>, reporting bytes sent; retried when the answer is lost (a PUT of the same bytes is harmless).</summary>
    public async Task UploadBlobAsync(string sha256, string path, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var content = new ProgressStreamContent(path, progress);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            try
            {
                using var response = await CallAsync(HttpMethod.Put, $"api/v1/blobs/{sha256}", content, HttpCompletionOption.ResponseContentRead, cancellationToken);
                return;
            }
            catch (AtlasApiException ex) when (attempt < SubmitAttempts && ex.Status is 0 or 502 or 503 or 504)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), time ?? TimeProvider.System, cancellationToken);
            }
        }
    }

    private async Task<JobView> SubmitWithRetriesAsync(
        JobSpec spec, string partName, Func<(HttpContent Content, string FileName)> part, CancellationToken cancellationToken, string? idempotencyKey)
    {
        idempotencyKey ??= Guid.NewGuid().ToString("n");
        for (var attempt = 1; ; attempt++)
        {
            using var content = new MultipartFormDataContent();
            content.Add(JsonContent.Create(spec, options: AtlasJson.Options), "spec");
            var (body, fileName) = part();
            content.Add(body, partName, fileName);
            try
            {
                return await SendAsync<JobView>(HttpMethod.Post, "api/v1/jobs", content, cancellationToken, idempotencyKey);
            }
            catch (AtlasApiException ex) when (attempt < SubmitAttempts && ex.Status is 0 or 502 or 503 or 504)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), time ?? TimeProvider.System, cancellationToken);
            }
        }
    }

    /// <summary>Adds a schedule that submits <paramref name="spec"/> with the bundle at <paramref name="bundlePath"/> at every tick of <paramref name="cron"/>.</summary>
    public Task<ScheduleView> AddScheduleAsync(
        string cron, string? name, string? timeZone, JobSpec spec, string bundlePath, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        var content = new MultipartFormDataContent
        {
            { new StringContent(cron), "cron" },
        };
        if (name is not null)
        {
            content.Add(new StringContent(name), "name");
        }
        if (timeZone is not null)
        {
            content.Add(new StringContent(timeZone), "timezone");
        }
        content.Add(JsonContent.Create(spec, options: AtlasJson.Options), "spec");
        var bundle = new ProgressStreamContent(bundlePath, progress);
        bundle.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        content.Add(bundle, "bundle", "bundle.tar.gz");
        return SendOwningAsync<ScheduleView>(HttpMethod.Post, "api/v1/schedules", content, cancellationToken);
    }

    public Task<List<ScheduleView>> ListSchedulesAsync(CancellationToken cancellationToken) =>
        SendAsync<List<ScheduleView>>(HttpMethod.Get, "api/v1/schedules", null, cancellationToken);

    /// <summary>Pauses (or with <paramref name="resume"/>, resumes) the schedule with this id or name.</summary>
    public Task<ScheduleView> PauseScheduleAsync(string idOrName, bool resume, CancellationToken cancellationToken) =>
        SendAsync<ScheduleView>(HttpMethod.Post, $"api/v1/schedules/{Uri.EscapeDataString(idOrName)}/{(resume ? "resume" : "pause")}", null, cancellationToken);

    public async Task DeleteScheduleAsync(string idOrName, CancellationToken cancellationToken)
    {
        using var response = await CallAsync(HttpMethod.Delete, $"api/v1/schedules/{Uri.EscapeDataString(idOrName)}", null, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    /// <summary>
    /// Submits a group (a sweep or an array): one bundle for all of its jobs, recorded all or none.
    /// Retried under one idempotency key like <see cref="SubmitAsync"/>, so a lost answer never makes a second group.
    /// </summary>
    public async Task<GroupView> SubmitGroupAsync(
        JobSpec spec, GroupSpec group, string bundlePath, Action<long, long>? progress, CancellationToken cancellationToken, string? idempotencyKey = null)
    {
        idempotencyKey ??= Guid.NewGuid().ToString("n");
        for (var attempt = 1; ; attempt++)
        {
            using var content = new MultipartFormDataContent();
            content.Add(JsonContent.Create(spec, options: AtlasJson.Options), "spec");
            content.Add(JsonContent.Create(group, options: AtlasJson.Options), "group");
            var bundle = new ProgressStreamContent(bundlePath, progress);
            bundle.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
            content.Add(bundle, "bundle", "bundle.tar.gz");
            try
            {
                return await SendAsync<GroupView>(HttpMethod.Post, "api/v1/groups", content, cancellationToken, idempotencyKey);
            }
            catch (AtlasApiException ex) when (attempt < SubmitAttempts && ex.Status is 0 or 502 or 503 or 504)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), time ?? TimeProvider.System, cancellationToken);
            }
        }
    }

    /// <summary>A group's summary: how many of its jobs are in each state.</summary>
    public Task<GroupView> GetGroupAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<GroupView>(HttpMethod.Get, $"api/v1/groups/{Uri.EscapeDataString(id)}", null, cancellationToken);

    /// <summary>A group's jobs, in the order they were expanded.</summary>
    public Task<List<JobView>> ListGroupJobsAsync(string id, int? limit, CancellationToken cancellationToken) =>
        SendAsync<List<JobView>>(HttpMethod.Get,
            $"api/v1/groups/{Uri.EscapeDataString(id)}/jobs" + (limit is null ? "" : "?limit=" + limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            null, cancellationToken);

    /// <summary>Stops every job of a group that has not ended.</summary>
    public Task<GroupStopView> StopGroupAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<GroupStopView>(HttpMethod.Post, $"api/v1/groups/{Uri.EscapeDataString(id)}/stop", null, cancellationToken);

    public Task<List<JobView>> ListJobsAsync(string? project, string? state, int? limit, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (project is not null)
        {
            query.Add("project=" + Uri.EscapeDataString(project));
        }
        if (state is not null)
        {
            query.Add("state=" + Uri.EscapeDataString(state));
        }
        if (limit is not null)
        {
            query.Add("limit=" + limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return SendAsync<List<JobView>>(HttpMethod.Get, "api/v1/jobs" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), null, cancellationToken);
    }

    public Task<JobView> GetJobAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<JobView>(HttpMethod.Get, $"api/v1/jobs/{Uri.EscapeDataString(id)}", null, cancellationToken);

    public Task<JobView> StopAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<JobView>(HttpMethod.Post, $"api/v1/jobs/{Uri.EscapeDataString(id)}/stop", null, cancellationToken);

    /// <summary>Changes a waiting job's priority, or (<paramref name="top"/>) puts it first among its owner's waiting jobs.</summary>
    public Task<JobView> SetPriorityAsync(string id, int? priority, bool top, CancellationToken cancellationToken) =>
        SendAsync<JobView>(HttpMethod.Post, $"api/v1/jobs/{Uri.EscapeDataString(id)}/priority",
            JsonContent.Create(new PriorityRequest(priority, top), options: AtlasJson.Options), cancellationToken);

    /// <summary>Cancels the caller's waiting jobs; an admin may name a <paramref name="user"/> or <paramref name="everyone"/>.</summary>
    public Task<QueueStopView> StopQueuedAsync(string? user, bool everyone, CancellationToken cancellationToken) =>
        SendAsync<QueueStopView>(HttpMethod.Post,
            "api/v1/queue/stop" + (user is not null ? $"?user={Uri.EscapeDataString(user)}" : everyone ? "?everyone=true" : ""), null, cancellationToken);

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await CallAsync(HttpMethod.Delete, $"api/v1/jobs/{Uri.EscapeDataString(id)}", null, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    /// <summary>Unauthenticated: whether the cluster wants a login, and from which identity provider.</summary>
    public Task<AuthConfig> GetAuthConfigAsync(CancellationToken cancellationToken) =>
        SendAsync<AuthConfig>(HttpMethod.Get, "api/v1/auth/config", null, cancellationToken);

    /// <summary>Who the cluster thinks the caller is.</summary>
    public Task<MeView> GetMeAsync(CancellationToken cancellationToken) =>
        SendAsync<MeView>(HttpMethod.Get, "api/v1/me", null, cancellationToken);

    public Task<List<NodeView>> ListNodesAsync(CancellationToken cancellationToken) =>
        SendAsync<List<NodeView>>(HttpMethod.Get, "api/v1/nodes", null, cancellationToken);

    /// <summary>Everyone's count of waiting jobs, and the caller's own places.</summary>
    public Task<QueueView> GetQueueAsync(CancellationToken cancellationToken) =>
        SendAsync<QueueView>(HttpMethod.Get, "api/v1/queue", null, cancellationToken);

    /// <summary>Copies the job's log to <paramref name="destination"/> as it arrives; with <paramref name="follow"/>, until the job ends.</summary>
    public async Task CopyLogsAsync(string id, bool follow, Stream destination, CancellationToken cancellationToken)
    {
        using var response = await CallAsync(HttpMethod.Get, $"api/v1/jobs/{Uri.EscapeDataString(id)}/logs?follow={(follow ? "true" : "false")}",
            null, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            await destination.FlushAsync(cancellationToken);
        }
    }

    /// <summary>The job's metric series (only <paramref name="names"/> when given) and the cursor to follow them from.</summary>
    public Task<MetricsView> GetMetricsAsync(string id, IReadOnlyCollection<string>? names, CancellationToken cancellationToken) =>
        SendAsync<MetricsView>(HttpMethod.Get, $"api/v1/jobs/{Uri.EscapeDataString(id)}/metrics{NamesQuery("names", names, '?')}", null, cancellationToken);

    /// <summary>Each new point of the job's metrics after <paramref name="since"/>, as the server sends it, until the job ends.</summary>
    public async IAsyncEnumerable<MetricEvent> FollowMetricsAsync(string id, string since, IReadOnlyCollection<string>? names,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"api/v1/jobs/{Uri.EscapeDataString(id)}/metrics?since={Uri.EscapeDataString(since)}{NamesQuery("names", names, '&')}");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await SendCheckedAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(body).EnumerateAsync(cancellationToken))
        {
            if (JsonSerializer.Deserialize<MetricEvent>(item.Data, AtlasJson.Options) is { } e)
            {
                yield return e;
            }
        }
    }

    public Task<List<ArtifactView>> ListArtifactsAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<List<ArtifactView>>(HttpMethod.Get, $"api/v1/jobs/{Uri.EscapeDataString(id)}/artifacts", null, cancellationToken);

    /// <summary>Copies one artifact to <paramref name="destination"/>.</summary>
    public async Task DownloadArtifactAsync(string id, string path, Stream destination, CancellationToken cancellationToken)
    {
        var escaped = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        using var response = await CallAsync(HttpMethod.Get, $"api/v1/jobs/{Uri.EscapeDataString(id)}/artifacts/{escaped}", null, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await body.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>A project's jobs with params, tags and summaries of <paramref name="metrics"/>.</summary>
    public Task<List<RunView>> ListRunsAsync(string project, IReadOnlyCollection<string>? metrics, int? limit, CancellationToken cancellationToken) =>
        SendAsync<List<RunView>>(HttpMethod.Get,
            $"api/v1/projects/{Uri.EscapeDataString(project)}/runs{NamesQuery("metrics", metrics, '?')}" +
            (limit is null ? "" : $"{(metrics is { Count: > 0 } ? '&' : '?')}limit={limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"),
            null, cancellationToken);

    public void Dispose() => _http.Dispose();

    private static string NamesQuery(string field, IReadOnlyCollection<string>? names, char separator) =>
        names is { Count: > 0 } ? $"{separator}{field}={Uri.EscapeDataString(string.Join(',', names))}" : "";

    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            var why = ex.InnerException is SocketException socket ? Describe(socket) : ex.Message;
            throw new AtlasApiException(0, $"cannot reach the Atlas gateway at {gateway}: {why}");
        }
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            throw new AtlasApiException((int)response.StatusCode, await DescribeAsync(response, cancellationToken));
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, string? idempotencyKey = null)
    {
        using var response = await CallAsync(method, path, content, HttpCompletionOption.ResponseContentRead, cancellationToken, idempotencyKey);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(AtlasJson.Options, cancellationToken)
                ?? throw new AtlasApiException((int)response.StatusCode, $"the gateway sent an empty answer ({(int)response.StatusCode})");
        }
        catch (JsonException)
        {
            throw new AtlasApiException((int)response.StatusCode, $"the gateway at {gateway} sent an answer that is not Atlas JSON; is it an Atlas gateway?");
        }
    }

    private async Task<T> SendOwningAsync<T>(HttpMethod method, string path, HttpContent content, CancellationToken cancellationToken)
    {
        using (content)
        {
            return await SendAsync<T>(method, path, content, cancellationToken);
        }
    }

    private async Task<HttpResponseMessage> CallAsync(
        HttpMethod method, string path, HttpContent? content, HttpCompletionOption completion, CancellationToken cancellationToken, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (idempotencyKey is not null)
        {
            request.Headers.Add(IdempotencyHeader, idempotencyKey);
        }
        return await SendCheckedAsync(request, completion, cancellationToken);
    }

    // One line from a ProblemDetails: its field errors when there are, else its detail or title.
    private static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var root = problem.RootElement;
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                var parts = errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(" ", e.Value.EnumerateArray().Select(v => v.GetString()))}");
                return $"{string.Join("; ", parts)} ({status})";
            }
            var title = root.TryGetProperty("title", out var t) ? t.GetString()?.TrimEnd('.') : null;
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString()?.TrimEnd('.') : null;
            var text = (title, detail) switch
            {
                ({ Length: > 0 }, { Length: > 0 }) => $"{title}: {detail}",
                _ => detail ?? title,
            };
            if (!string.IsNullOrEmpty(text))
            {
                return $"{text} ({status})";
            }
        }
        catch (JsonException)
        {
        }
        return $"{response.ReasonPhrase ?? "error"} ({status})";
    }

    private static string Describe(SocketException socket) => socket.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData => "host not found",
        SocketError.TimedOut => "timed out",
        _ => socket.Message,
    };
}
