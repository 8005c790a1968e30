using StackExchange.Redis;

namespace Atlas.Core.Storage;

/// <summary>
/// The Redis connection settings that survive a Redis restart, shared by the services (applied to
/// Aspire's Redis client) and by the tools and tests that open a connection themselves.
/// </summary>
public static class RedisConnector
{
    /// <summary>The connection string's name: <c>ConnectionStrings:redis</c>.</summary>
    public const string ConnectionName = "redis";

    /// <summary>
    /// Never give up at start, retry in the background, fail a command after 5 s: a service
    /// started before Redis, or one whose Redis restarts, carries on once Redis answers again.
    /// </summary>
    public static void ApplyResilience(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = false;
        // The first connect blocks whoever resolves the connection (ConnectRetry x ConnectTimeout):
        // kept short so a service started without Redis gets to listen and report unhealthy;
        // reconnecting then goes on in the background.
        options.ConnectRetry = 1;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = 5000;
        options.AsyncTimeout = 5000;
        options.KeepAlive = 5;
        options.ReconnectRetryPolicy = new LinearRetry(500);
    }

    /// <summary>Connects to <paramref name="connectionString"/> (<c>host:port[,option=value…]</c>) with <see cref="ApplyResilience"/>.</summary>
    public static ConnectionMultiplexer Connect(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        ApplyResilience(options);
        return ConnectionMultiplexer.Connect(options);
    }
}
