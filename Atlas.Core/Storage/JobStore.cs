namespace Atlas.Core.Storage;

/// <summary>Placeholder: the Redis job store is being written.</summary>
public sealed class JobStore
{
}
