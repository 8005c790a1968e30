using Atlas.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Atlas.Api.Storage;

/// <summary>
/// Fails the service at start when Redis refuses it: no password, or the wrong one, in
/// <c>ConnectionStrings__redis</c> (or the seed's <c>REDIS_ADDRESS</c>), so a misconfigured node says
/// so once instead of retrying forever. Redis that does not answer yet is no error: the service
/// starts and connects later (<see cref="RedisConnector.ApplyResilience"/>).
/// </summary>
internal sealed class RedisPasswordCheck(IConfiguration configuration) : IHostedService
{
    public const string Setting = "ConnectionStrings__redis (or REDIS_ADDRESS)";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(configuration.GetConnectionString(RedisConnector.ConnectionName)!);
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        options.ConnectTimeout = 3000;
        try
        {
            using var redis = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken);
        }
        catch (RedisConnectionException e) when (e.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            throw new InvalidOperationException(string.IsNullOrEmpty(options.Password)
                ? $"Redis at {string.Join(',', options.EndPoints)} requires a password: add password=… to {Setting}."
                : $"Redis at {string.Join(',', options.EndPoints)} refused the password in {Setting}: set the cluster's Redis password there.", e);
        }
        catch (RedisConnectionException)
        {
            // Not reachable yet: the shared connection keeps trying in the background.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
