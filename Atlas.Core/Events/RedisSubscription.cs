using StackExchange.Redis;

namespace Atlas.Core.Events;

/// <summary>
/// A pub/sub subscription that tolerates Redis being away: <see cref="EnsureAsync"/> subscribes
/// when it is not yet subscribed and reports failure instead of throwing (the caller's timer
/// covers the gap), StackExchange.Redis resubscribes by itself after a reconnect, and disposing
/// never throws.
/// </summary>
public sealed class RedisSubscription(IConnectionMultiplexer redis, string channel, Action<RedisValue> onMessage) : IAsyncDisposable
{
    private readonly RedisChannel _channel = RedisChannel.Literal(channel);
    private bool _subscribed;

    /// <summary>Subscribes if needed; false while Redis cannot be reached.</summary>
    public async Task<bool> EnsureAsync()
    {
        if (_subscribed)
        {
            return true;
        }
        try
        {
            await redis.GetSubscriber().SubscribeAsync(_channel, (_, message) => onMessage(message));
            _subscribed = true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
        }
        return _subscribed;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_subscribed)
        {
            return;
        }
        try
        {
            await redis.GetSubscriber().UnsubscribeAsync(_channel);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Going away anyway: the server drops the subscription with the connection.
        }
    }
}
