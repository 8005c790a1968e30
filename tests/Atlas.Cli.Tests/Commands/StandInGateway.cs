using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Atlas.Cli.Tests.Commands;

/// <summary>
/// A hand-written stand-in for the gateway on a real loopback port, answering with canned jobs
/// and ProblemDetails, so these tests see only the CLI. The real gateway and cluster behind the
/// real CLI are covered by the end-to-end tests. It has no blob API (404), as an older cluster:
/// <c>atlas submit</c> then sends the folder as a .tar.gz, which these tests read back; the
/// content-addressed upload is tested against the real master (<see cref="ContentUploadTests"/>).
/// <para>
/// Login seam (a stand-in, not the server side's code): it answers <c>/api/v1/auth/config</c> with
/// <see cref="AuthConfig"/> (single-user when null), records every <c>Authorization</c> header, and in
/// oidc mode answers 401 to a call without a bearer token or with an expired one (it reads the JWT's
/// <c>exp</c> without checking the signature; the real gateway validates tokens), and serves
/// <c>/api/v1/me</c> from the token's claims.
/// </para>
/// </summary>
internal sealed class StandInGateway : IAsyncDisposable
{
    public const string KnownId = "01m8000000000abc";
    private readonly WebApplication _app;

    private StandInGateway(WebApplication app) => _app = app;

    public string Url => _app.Urls.First();

    public JobSpec? SubmittedSpec { get; private set; }

    public List<string> SubmittedFiles { get; } = [];

    /// <summary>The group part of the last group submit.</summary>
    public GroupSpec? SubmittedGroup { get; private set; }

    /// <summary>How many group submits arrived (each carries one bundle for the whole group).</summary>
    public int GroupSubmits { get; private set; }

    /// <summary>The group id the stand-in answers to.</summary>
    public const string KnownGroupId = "g01m8000000000abd";

    /// <summary>The <c>Idempotency-Key</c> of every submit received, in order.</summary>
    public List<string?> IdempotencyKeys { get; } = [];

    /// <summary>How many submits to answer with 503, as a gateway whose master did not answer.</summary>
    public int FailSubmits { get; set; }

    /// <summary>What <c>/api/v1/auth/config</c> answers; null for single-user mode.</summary>
    public object? AuthConfig { get; set; }

    /// <summary>When set, every bearer token is refused with 401, as a gateway that no longer trusts it.</summary>
    public bool RefuseAllTokens { get; set; }

    /// <summary>The bearer tokens the API calls carried, in order (null for a call without one).</summary>
    public List<string?> BearerTokens { get; } = [];

    public static async Task<StandInGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.ConfigureHttpJsonOptions(o => AtlasJson.Configure(o.SerializerOptions));
        var app = builder.Build();
        var self = new StandInGateway(app);
        app.MapGet("/api/v1/auth/config", () => Results.Json(self.AuthConfig ?? new { mode = "single-user" }));
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api/v1/auth"))
            {
                await next(context);
                return;
            }
            var header = context.Request.Headers.Authorization.ToString();
            var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
            lock (self.BearerTokens)
            {
                self.BearerTokens.Add(token);
            }
            if (self.AuthConfig is not null && (token is null || self.RefuseAllTokens || JwtPayload.Read(token).GetProperty("exp").GetInt64() <= DateTimeOffset.UtcNow.ToUnixTimeSeconds()))
            {
                context.Response.StatusCode = 401;
                return;
            }
            await next(context);
        });
        app.MapGet("/api/v1/me", (HttpRequest request) =>
        {
            var claims = JwtPayload.Read(request.Headers.Authorization.ToString()["Bearer ".Length..]);
            var roles = claims.GetProperty("realm_access").GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToList();
            return Results.Json(new
            {
                sub = claims.GetProperty("sub").GetString(),
                username = claims.GetProperty("preferred_username").GetString(),
                roles,
                admin = roles.Contains("atlas-admin"),
                mode = "oidc",
            });
        });
        var job = new JobView
        {
            Id = KnownId, Name = "demo", Project = "demo", Command = ["sh", "-c", "exit 7"], State = JobState.Failed, Node = "worker-1",
            Owner = "sub-alice", Username = "alice", ExitCode = 7, Reason = "exited with code 7", SubmittedAt = DateTimeOffset.UnixEpoch.AddYears(56),
            History = [new JobHistoryEntry(JobState.Queued, DateTimeOffset.UnixEpoch.AddYears(56))],
        };
        app.MapPost("/api/v1/jobs", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            self.IdempotencyKeys.Add(request.Headers["Idempotency-Key"].FirstOrDefault());
            if (self.FailSubmits > 0)
            {
                self.FailSubmits--;
                return Results.Problem(statusCode: 503, title: "No master answered.");
            }
            self.SubmittedSpec = JsonSerializer.Deserialize<JobSpec>(form["spec"].ToString(), AtlasJson.Options);
            await using var bundle = form.Files["bundle"]!.OpenReadStream();
            await using var gzip = new GZipStream(bundle, CompressionMode.Decompress);
            await using var tar = new TarReader(gzip);
            try
            {
                while (await tar.GetNextEntryAsync() is { } entry)
                {
                    self.SubmittedFiles.Add(entry.Name);
                }
            }
            catch (EndOfStreamException)
            {
            }
            return Results.Created($"/api/v1/jobs/{KnownId}", job with { State = JobState.Queued, ExitCode = null });
        });
        app.MapPost("/api/v1/groups", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            self.GroupSubmits++;
            self.SubmittedSpec = JsonSerializer.Deserialize<JobSpec>(form["spec"].ToString(), AtlasJson.Options);
            self.SubmittedGroup = JsonSerializer.Deserialize<GroupSpec>(form["group"].ToString(), AtlasJson.Options);
            return form.Files["bundle"] is null
                ? Results.Problem(statusCode: 400, title: "no bundle")
                : Results.Created($"/api/v1/groups/{KnownGroupId}", new GroupView { Id = KnownGroupId, Total = 4, JobIds = [KnownId] });
        });
        app.MapGet("/api/v1/groups/{id}", (string id) => id == KnownGroupId
            ? Results.Ok(new GroupView
            {
                Id = KnownGroupId, Name = "sweep", Username = "alice", Total = 4, MaxRunning = 2, CreatedAt = DateTimeOffset.UnixEpoch.AddYears(56),
                Counts = new Dictionary<string, int> { ["running"] = 2, ["queued"] = 1, ["succeeded"] = 1 },
            })
            : Results.Problem(statusCode: 404, title: "Group not found.", detail: $"There is no group '{id}'."));
        app.MapGet("/api/v1/groups/{id}/jobs", () => Results.Ok(new[] { job with { Group = KnownGroupId }, job with { Id = "01m8000000000abe", State = JobState.Queued, Group = KnownGroupId } }));
        app.MapPost("/api/v1/groups/{id}/stop", (string id) => Results.Accepted(null, new GroupStopView(id, 1, 2, 1)));
        app.MapGet("/api/v1/jobs", () => Results.Ok(new[] { job }));
        app.MapGet("/api/v1/jobs/{id}", (string id) => id == KnownId
            ? Results.Ok(job)
            : Results.Problem(statusCode: 404, title: "Job not found.", detail: $"There is no job '{id}'."));
        app.MapGet("/api/v1/jobs/{id}/logs", () => Results.Text("line 1\nline 2\n"));
        app.MapDelete("/api/v1/jobs/{id}", () => Results.Problem(statusCode: 409, title: "The job has not ended.", detail: "Stop it first."));
        app.MapPost("/api/v1/jobs/{id}/stop", () => Results.Accepted(null, job with { State = JobState.Cancelled }));
        app.MapGet("/api/v1/queue", () => Results.Ok(new QueueView(3, [new QueuePosition(KnownId, 2) { WaitReason = "needs 4 GPUs; the largest free is 2 on worker-3" }])
        {
            Limits = new QueueLimits(MaxRunningJobs: 8, MaxGpus: 0, RunningJobs: 3, Gpus: 2, Policy: "fair"),
        }));
        app.MapGet("/api/v1/nodes", () => Results.Ok(new[]
        {
            new NodeView { Name = "worker-1", Address = "http://127.0.0.1:1", Runtime = "docker", Slots = 2, State = NodeState.Ready },
            new NodeView
            {
                Name = "gpu-1", Address = "http://127.0.0.1:2", Runtime = "process", Slots = 4, Running = 1, State = NodeState.Ready,
                Gpus = [new NodeGpu("0", "NVIDIA H100 80GB HBM3", 81559), new NodeGpu("1", "NVIDIA H100 80GB HBM3", 81559)], GpusInUse = ["1"],
                CpuMillis = 16000, CpuMillisInUse = 2500, MemoryBytes = 64L << 30, MemoryBytesInUse = 8L << 30,
                Limits = NodeLimits.None, LimitsNote = "no cgroup v2 mount",
            },
        }));
        await app.StartAsync();
        return self;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
