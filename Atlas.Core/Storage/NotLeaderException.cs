namespace Atlas.Core.Storage;

/// <summary>A master's write was refused because it no longer holds the leader lease (its epoch is stale).</summary>
public sealed class NotLeaderException : Exception
{
    public NotLeaderException() : base("This master is not the leader: another master holds the leader lease.") { }

    public NotLeaderException(string message) : base(message) { }

    public NotLeaderException(string message, Exception innerException) : base(message, innerException) { }
}
