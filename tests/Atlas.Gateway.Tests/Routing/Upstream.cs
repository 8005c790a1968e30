using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Atlas.Gateway.Tests.Routing;

/// <summary>
/// A hand-written upstream on a real loopback port that says who answered: a stand-in for the
/// master or a worker, so these tests see only the gateway's routing. The real services behind
/// the real gateway are covered by the end-to-end test.
/// </summary>
internal sealed class Upstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Upstream(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Released by a test to let a streamed response write its second part.</summary>
    public TaskCompletionSource SecondPart { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long BytesReceived { get; private set; }

    public static async Task<Upstream> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = null);
        var app = builder.Build();
        Upstream? self = null;
        app.MapGet("/api/v1/jobs/{id}/logs", async (string id, HttpResponse response) =>
        {
            await response.WriteAsync($"{name} first {id}\n");
            await response.Body.FlushAsync();
            await self!.SecondPart.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await response.WriteAsync($"{name} second\n");
        });
        app.MapPost("/api/v1/jobs", async (HttpRequest request) =>
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await request.Body.ReadAsync(buffer)) > 0)
            {
                self!.BytesReceived += read;
            }
            return Results.Text($"{name} got {self!.BytesReceived}");
        });
        app.Map("/{**rest}", (HttpRequest request) => Results.Text($"{name} {request.Method} {request.Path}"));
        await app.StartAsync();
        self = new Upstream(app, app.Urls.First());
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        SecondPart.TrySetResult();
        await _app.DisposeAsync();
    }
}
