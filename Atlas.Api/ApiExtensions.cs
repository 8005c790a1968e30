using Atlas.Core;
using Atlas.Core.SharedVolume;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>What the Atlas services share beyond the defaults.</summary>
public static class ApiExtensions
{
    /// <summary>The seed's variable aliases, ProblemDetails with Atlas's status mapping, Atlas's JSON shape, the clock and auth.</summary>
    public static TBuilder AddAtlasApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Configuration.AddSeedAliases();
        builder.Services.AddProblemDetails();
        // A request that cannot be bound (a query value of the wrong type, a body too large) is
        // the caller's mistake: its own 4xx, not a 500. Redis out of reach (it restarts) is
        // passing: 503, so the caller knows to try again; nothing was recorded.
        builder.Services.Configure<ExceptionHandlerOptions>(o => o.StatusCodeSelector = ex => ex switch
        {
            BadHttpRequestException bad => bad.StatusCode,
            StackExchange.Redis.RedisConnectionException or TimeoutException => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status500InternalServerError,
        });
        builder.Services.Configure<JsonOptions>(o => AtlasJson.Configure(o.SerializerOptions));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddAtlasAuth();
        return builder;
    }

    /// <summary>
    /// The shared volume at <c>Atlas:SharedRoot</c>, the same path on every node. Fails at start
    /// when it is not set or cannot be created.
    /// </summary>
    public static TBuilder AddSharedVolume<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var root = builder.Configuration["Atlas:SharedRoot"];
        if (string.IsNullOrWhiteSpace(root))
        {
            throw new InvalidOperationException(
                "Atlas:SharedRoot is not set: give the shared volume's path (Atlas__SharedRoot=/mnt/atlas).");
        }
        var paths = new JobPaths(root);
        Directory.CreateDirectory(paths.JobsRoot);
        Directory.CreateDirectory(paths.Uploads);
        builder.Services.AddSingleton(paths);
        return builder;
    }
}
