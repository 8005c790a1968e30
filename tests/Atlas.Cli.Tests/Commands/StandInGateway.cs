using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Atlas.Cli.Tests.Commands;

/// <summary>
/// A hand-written stand-in for the gateway on a real loopback port, answering with canned jobs
/// and ProblemDetails, so these tests see only the CLI. The real gateway and cluster behind the
/// real CLI are covered by the end-to-end tests.
/// </summary>
internal sealed class StandInGateway : IAsyncDisposable
{
    public const string KnownId = "01m8000000000abc";
    private readonly WebApplication _app;

    private StandInGateway(WebApplication app) => _app = app;

    public string Url => _app.Urls.First();

    public JobSpec? SubmittedSpec { get; private set; }

    public List<string> SubmittedFiles { get; } = [];

    public static async Task<StandInGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.ConfigureHttpJsonOptions(o => AtlasJson.Configure(o.SerializerOptions));
        var app = builder.Build();
        var self = new StandInGateway(app);
        var job = new JobView
        {
            Id = KnownId, Name = "demo", Project = "demo", Command = ["sh", "-c", "exit 7"], State = JobState.Failed, Node = "worker-1",
            ExitCode = 7, Reason = "exited with code 7", SubmittedAt = DateTimeOffset.UnixEpoch.AddYears(56),
            History = [new JobHistoryEntry(JobState.Queued, DateTimeOffset.UnixEpoch.AddYears(56))],
        };
        app.MapPost("/api/v1/jobs", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
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
        app.MapGet("/api/v1/jobs", () => Results.Ok(new[] { job }));
        app.MapGet("/api/v1/jobs/{id}", (string id) => id == KnownId
            ? Results.Ok(job)
            : Results.Problem(statusCode: 404, title: "Job not found.", detail: $"There is no job '{id}'."));
        app.MapGet("/api/v1/jobs/{id}/logs", () => Results.Text("line 1\nline 2\n"));
        app.MapDelete("/api/v1/jobs/{id}", () => Results.Problem(statusCode: 409, title: "The job has not ended.", detail: "Stop it first."));
        app.MapPost("/api/v1/jobs/{id}/stop", () => Results.Accepted(null, job with { State = JobState.Cancelled }));
        app.MapGet("/api/v1/nodes", () => Results.Ok(new[]
        {
            new NodeView { Name = "worker-1", Address = "http://127.0.0.1:1", Runtime = "docker", Slots = 2, State = NodeState.Ready },
        }));
        await app.StartAsync();
        return self;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
