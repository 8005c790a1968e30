using System.Globalization;
using System.Text.Json;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using StackExchange.Redis;

namespace Atlas.Core.Storage;

/// <summary>Reads a job's Redis hash (and history) into a <see cref="JobRecord"/>; shared by the per-role stores.</summary>
internal static class JobRecords
{
    public static JobRecord FromHash(HashEntry[] entries, RedisValue[] history)
    {
        var f = entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        var spec = JsonSerializer.Deserialize<JobSpec>(f["spec"], AtlasJson.Options) ?? new JobSpec();
        var trace = f.GetValueOrDefault("trace");
        var view = new JobView
        {
            Id = f["id"],
            Name = spec.Name,
            Project = spec.Project ?? JobDefaults.Project,
            Image = spec.Image,
            Command = spec.Command,
            Priority = ParseInt(f.GetValueOrDefault("priority")) ?? spec.Priority, // atlas priority changes the field, not the spec
            State = ParseState(f["state"]),
            Owner = f.GetValueOrDefault("owner"),
            Username = f.GetValueOrDefault("user"),
            Node = f.GetValueOrDefault("node"),
            GpuIds = f.GetValueOrDefault("gpuIds") is { Length: > 0 } gpus ? gpus.Split(',') : [],
            Attempt = ParseInt(f.GetValueOrDefault("attempt")) ?? 1,
            ExitCode = ParseInt(f.GetValueOrDefault("exit")),
            Reason = f.GetValueOrDefault("reason"),
            SubmittedAt = ParseTime(f["submitted"]) ?? DateTimeOffset.UnixEpoch,
            ClaimedAt = ParseTime(f.GetValueOrDefault("claimed")),
            StartedAt = ParseTime(f.GetValueOrDefault("started")),
            FinishedAt = ParseTime(f.GetValueOrDefault("finished")),
            TraceId = TraceIdOf(trace),
            Retries = spec.Retries,
            Retried = ParseInt(f.GetValueOrDefault("retried")) ?? 0,
            FailedOn = f.GetValueOrDefault("failedOn") is { Length: > 0 } failedOn ? failedOn.Split(',') : [],
            Group = f.GetValueOrDefault("group"),
            WaitingFor = f.GetValueOrDefault("waitingFor") is { Length: > 0 } waiting ? waiting.Split(',') : [],
            History = [.. history.Select(h => ParseHistory(h!))],
        };
        return new JobRecord(
            view,
            spec,
            long.Parse(f.GetValueOrDefault("fence") ?? "0", CultureInfo.InvariantCulture),
            f.GetValueOrDefault("stop") == "1",
            trace);
    }

    /// <summary>A record from HGETALL's flat field/value list, as a script returns it (history left empty).</summary>
    public static JobRecord FromFlat(RedisResult[] flat)
    {
        var fields = new HashEntry[flat.Length / 2];
        for (var f = 0; f + 1 < flat.Length; f += 2)
        {
            fields[f / 2] = new HashEntry((string)flat[f]!, (string)flat[f + 1]!);
        }
        return FromHash(fields, []);
    }

    public static JobState ParseState(string value) => Enum.Parse<JobState>(value, ignoreCase: true);

    public static NodeState ParseNodeState(string value) => Enum.Parse<NodeState>(value, ignoreCase: true);

    public static string NodeStateName(NodeState state) => JsonNamingPolicy.CamelCase.ConvertName(state.ToString());

    public static int? ParseInt(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    public static DateTimeOffset? ParseTime(string? value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    // A W3C traceparent is version-traceid-spanid-flags; anything else names no trace.
    private static string? TraceIdOf(string? traceParent) =>
        traceParent is { Length: >= 55 } && traceParent[2] == '-' && traceParent[35] == '-' ? traceParent[3..35] : null;

    private static JobHistoryEntry ParseHistory(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new JobHistoryEntry(
            ParseState(root.GetProperty("state").GetString()!),
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("at").GetInt64()),
            root.TryGetProperty("node", out var n) ? n.GetString() : null,
            root.TryGetProperty("reason", out var r) ? r.GetString() : null);
    }
}
