namespace Atlas.Core.Storage;

/// <summary>How a group submit ended; only <see cref="Created"/> wrote anything.</summary>
public enum GroupSubmitKind
{
    Created,

    /// <summary>The idempotency key named an earlier group.</summary>
    Replayed,

    /// <summary>A dependency is no job of the submitter.</summary>
    RefusedDependency,

    /// <summary>A job or group id already exists (ids are random: practically never).</summary>
    IdTaken,

    /// <summary>A key the submit writes holds another type: Redis would have failed the write midway, so nothing was written.</summary>
    Corrupt,
}
