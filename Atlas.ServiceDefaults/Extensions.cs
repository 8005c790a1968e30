using Atlas.Core;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registration shared by every Atlas service, named as in .NET Aspire's ServiceDefaults so a
/// real Aspire AppHost could drive the services unchanged.
/// </summary>
public static class Extensions
{
    private const string AliveTag = "live";

    /// <summary>Telemetry, health checks, ProblemDetails, Atlas's JSON shape and the seed's variable aliases.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Configuration.AddSeedAliases();
        builder.ConfigureOpenTelemetry();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [AliveTag]);
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
    /// One shared Redis connection from <c>ConnectionStrings:redis</c> (or the seed's
    /// <c>REDIS_ADDRESS</c>), checked by <c>/health</c>. It reconnects by itself after a Redis restart.
    /// </summary>
    public static TBuilder AddAtlasRedis<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var connectionString = builder.Configuration.GetConnectionString("redis");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "No Redis address: set ConnectionStrings__redis (for example 127.0.0.1:5556) or REDIS_ADDRESS.");
        }
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => RedisConnector.Connect(connectionString));
        builder.Services.AddSingleton<JobStore>();
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis");
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

    /// <summary><c>/health</c>: ready (every check); <c>/alive</c>: the process answers.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = r => r.Tags.Contains(AliveTag) });
        return app;
    }

    // Telemetry costs per request and per job, so it is only collected when there is somewhere to
    // send it: OTEL_EXPORTER_OTLP_ENDPOINT set (as the AppHost or a real Aspire AppHost does).
    private static void ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return;
        }

        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(AtlasTelemetry.MeterName))
            .WithTracing(t => t
                .AddSource(AtlasTelemetry.ActivitySourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments("/health") && !c.Request.Path.StartsWithSegments("/alive"))
                .AddHttpClientInstrumentation())
            .UseOtlpExporter();
    }
}
