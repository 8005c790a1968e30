using System.Buffers;
using System.Text.Json;
using Atlas.Core.Jobs;
using Atlas.Core.SharedVolume;

namespace Atlas.Core.Tracking;

/// <summary>
/// The durable copy of a job's reports on the shared volume, <c>jobs/{id}/metrics.jsonl</c>: one
/// JSON object a line, as the worker took them, with the worker's time —
/// <c>{"metric":"loss","value":0.31,"step":120,"time":1733000000000}</c>, <c>{"param":"lr","value":"0.001"}</c>,
/// <c>{"tag":…}</c>, <c>{"artifact":"model.pt"}</c>, and <c>{"skipped":1,"rejected":0,"warnings":[…]}</c>
/// whenever the counts change. Redis is rebuilt from it (and from the spec's params and tags) when
/// Redis has lost a job's reports.
/// </summary>
public static class DurableMetrics
{
    public static string PathOf(JobPaths paths, string id) => Path.Combine(paths.Job(id), "metrics.jsonl");

    public static void WritePoint(Utf8JsonWriter w, string name, MetricPoint p)
    {
        w.WriteStartObject();
        w.WriteString("metric", name);
        w.WriteNumber("value", p.Value);
        if (p.Step is { } step)
        {
            w.WriteNumber("step", step);
        }
        w.WriteNumber("time", p.Time);
        w.WriteEndObject();
    }

    public static void WriteLabel(Utf8JsonWriter w, EntryKind kind, string name, string? value)
    {
        w.WriteStartObject();
        w.WriteString(kind switch { EntryKind.Param => "param", EntryKind.Tag => "tag", _ => "artifact" }, name);
        if (value is not null)
        {
            w.WriteString("value", value);
        }
        w.WriteEndObject();
    }

    public static void WriteCounts(Utf8JsonWriter w, JobTracking t)
    {
        w.WriteStartObject();
        w.WriteNumber("skipped", t.SkippedLines);
        w.WriteNumber("rejected", t.RejectedValues);
        w.WriteStartArray("warnings");
        foreach (var warning in t.Warnings)
        {
            w.WriteStringValue(warning);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// Rebuilds a job's reports from the shared volume: the spec's params and tags, then the
    /// durable copy. Null when the job has neither (no such job folder).
    /// </summary>
    public static JobTracking? Load(JobPaths paths, string id, TrackingLimits limits)
    {
        var specPath = paths.Spec(id);
        var file = PathOf(paths, id);
        if (!File.Exists(specPath) && !File.Exists(file))
        {
            return null;
        }
        var t = new JobTracking(limits);
        try
        {
            if (File.Exists(specPath) && JsonSerializer.Deserialize<JobSpec>(File.ReadAllBytes(specPath), AtlasJson.Options) is { } spec)
            {
                foreach (var (k, v) in spec.Params ?? new Dictionary<string, string>())
                {
                    t.Params[k] = v;
                }
                foreach (var (k, v) in spec.Tags ?? new Dictionary<string, string>())
                {
                    t.Tags[k] = v;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            // A spec that cannot be read leaves the params to the durable copy.
        }
        if (File.Exists(file))
        {
            foreach (var line in File.ReadLines(file))
            {
                ReadLine(t, line);
            }
        }
        return t;
    }

    private static void ReadLine(JobTracking t, string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (r.TryGetProperty("metric", out var m) && m.GetString() is { } name)
            {
                long? step = r.TryGetProperty("step", out var s) ? s.GetInt64() : null;
                var point = new MetricPoint(step, r.GetProperty("value").GetDouble(), r.GetProperty("time").GetInt64());
                if (!t.Series.TryGetValue(name, out var series))
                {
                    series = t.Series[name] = new SeriesState(name, t.Limits.MaxPointsPerSeries);
                }
                series.Add(point);
                t.Points++;
            }
            else if (r.TryGetProperty("param", out var p))
            {
                t.Params[p.GetString()!] = r.GetProperty("value").GetString()!;
            }
            else if (r.TryGetProperty("tag", out var g))
            {
                t.Tags[g.GetString()!] = r.GetProperty("value").GetString()!;
            }
            else if (r.TryGetProperty("artifact", out var a) && !t.Artifacts.Contains(a.GetString()!))
            {
                t.Artifacts.Add(a.GetString()!);
            }
            else if (r.TryGetProperty("skipped", out var skipped))
            {
                t.SkippedLines = skipped.GetInt64();
                t.RejectedValues = r.GetProperty("rejected").GetInt64();
                t.Warnings.Clear();
                t.Warnings.AddRange(r.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!));
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            // A torn last line (the worker died mid-write) is left out.
        }
    }

    /// <summary>Serializes with <paramref name="write"/> into one line (newline-terminated) appended to <paramref name="buffer"/>.</summary>
    public static void AppendLine(ArrayBufferWriter<byte> buffer, Action<Utf8JsonWriter> write)
    {
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }
        buffer.Write("\n"u8);
    }
}
