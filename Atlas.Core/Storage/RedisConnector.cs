using StackExchange.Redis;

namespace Atlas.Core.Storage;

/// <summary>Opens the shared Redis connection with settings that survive a Redis restart.</summary>
public static class RedisConnector
{
    /// <summary>
    /// Connects to <paramref name="connectionString"/> (<c>host:port[,option=value…]</c>). The
    /// connection keeps retrying in the background, so a service started before Redis, or one
    /// whose Redis restarts, carries on once Redis answers again.
    /// </summary>
    public static ConnectionMultiplexer Connect(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ConnectRetry = 5;
        options.ConnectTimeout = 5000;
        options.SyncTimeout = 5000;
        options.AsyncTimeout = 5000;
        options.KeepAlive = 5;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        return ConnectionMultiplexer.Connect(options);
    }
}
