using Atlas.Api.Storage;
using Atlas.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>The Redis client (Aspire.StackExchange.Redis) and the read side of the job store on it.</summary>
public static class RedisExtensions
{
    /// <summary>
    /// One shared Redis connection from <c>ConnectionStrings:redis</c> (or the seed's
    /// <c>REDIS_ADDRESS</c>), with Aspire's health check on <c>/health</c> and its tracing. It
    /// starts without Redis and reconnects by itself after a Redis restart (<see cref="RedisConnector.ApplyResilience"/>).
    /// Registers <see cref="JobReader"/> only: each role adds the store that writes what it owns
    /// (<see cref="MasterJobStore"/> in the master, <see cref="WorkerJobStore"/> in a worker).
    /// </summary>
    public static TBuilder AddAtlasRedis<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Configuration.AddSeedAliases();
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(RedisConnector.ConnectionName)))
        {
            throw new InvalidOperationException(
                "No Redis address: set ConnectionStrings__redis (for example 127.0.0.1:5556) or REDIS_ADDRESS.");
        }
        builder.AddRedisClient(RedisConnector.ConnectionName, configureOptions: RedisConnector.ApplyResilience);
        builder.Services.AddSingleton<JobReader>();
        // Before the other hosted services: a refused password stops the service at start.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, RedisPasswordCheck>());
        return builder;
    }
}
