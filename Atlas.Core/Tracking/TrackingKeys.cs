using Atlas.Core.Storage;

namespace Atlas.Core.Tracking;

/// <summary>The Redis keys of one job's reports, beside its record (<see cref="RedisKeys.Job"/>).</summary>
public static class TrackingKeys
{
    /// <summary>Hash: counts (<c>skipped</c>, <c>rejected</c>, <c>points</c>), <c>warnings</c> (JSON) and <c>fence</c> of the last writer. Created at submit.</summary>
    public static string Meta(string id) => $"{RedisKeys.Prefix}job:{id}:tracking";

    /// <summary>Hash: metric name to its <see cref="MetricSummary"/> as JSON; its fields name the job's series.</summary>
    public static string Summary(string id) => $"{RedisKeys.Prefix}job:{id}:summary";

    /// <summary>String: one series' points (<see cref="PointCodec"/>).</summary>
    public static string Series(string id, string name) => $"{RedisKeys.Prefix}job:{id}:series:{name}";

    /// <summary>Hash: param name to value.</summary>
    public static string Params(string id) => $"{RedisKeys.Prefix}job:{id}:params";

    /// <summary>Hash: tag name to value.</summary>
    public static string Tags(string id) => $"{RedisKeys.Prefix}job:{id}:tags";

    /// <summary>Stream, capped: the latest points as they came (fields n, s, v, t); what <c>?since=</c> follows.</summary>
    public static string Live(string id) => $"{RedisKeys.Prefix}job:{id}:live";
}
