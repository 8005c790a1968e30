using System.Buffers.Text;
using System.Text;
using Atlas.Core.Jobs;

namespace Atlas.Master.Table;

/// <summary>
/// A validated job-table query: filters, one sort column, and where the page starts (keyset: the
/// sort value and id of the last row seen, so a page never repeats or skips rows when jobs arrive).
/// </summary>
public sealed class JobTableQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>The fixed columns; <c>param:NAME</c>, <c>tag:NAME</c> and <c>metric:NAME</c> sort by a parameter, a tag or a metric's last value.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["id", "name", "project", "user", "state", "node", "attempt", "priority", "exit", "submitted", "started", "finished", "duration"];

    private static readonly string[] LabelPrefixes = ["param:", "tag:", "metric:"];

    private string? Project { get; init; }
    private string? User { get; init; }
    private HashSet<JobState>? States { get; init; }
    private string? TagKey { get; init; }
    private string? TagValue { get; init; }
    private string Sort { get; init; } = "submitted";
    private bool Descending { get; init; } = true;
    private (SortKey Key, string Id)? After { get; init; }
    private int Limit { get; init; } = DefaultLimit;

    /// <summary>Parses the query string; on a bad value returns the field and what is wrong with it.</summary>
    public static (JobTableQuery? Query, string? Field, string? Error) Parse(
        string? project, string? user, string? state, string? tag, string? sort, string? order, string? cursor, int? limit)
    {
        if (project is { Length: > 128 })
        {
            return (null, "project", "At most 128 characters.");
        }
        if (user is { Length: > 256 })
        {
            return (null, "user", "At most 256 characters.");
        }
        HashSet<JobState>? states = null;
        if (!string.IsNullOrEmpty(state))
        {
            states = [];
            foreach (var name in state.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Enum.TryParse<JobState>(name, ignoreCase: true, out var s) || int.TryParse(name, out _))
                {
                    return (null, "state", $"Unknown state '{name}'; use one or more of {string.Join(", ", Enum.GetNames<JobState>().Select(n => n.ToLowerInvariant()))}, separated by commas.");
                }
                states.Add(s);
            }
        }
        string? tagKey = null, tagValue = null;
        if (!string.IsNullOrEmpty(tag))
        {
            var eq = tag.IndexOf('=', StringComparison.Ordinal);
            tagKey = eq < 0 ? tag : tag[..eq];
            tagValue = eq < 0 ? null : tag[(eq + 1)..];
            if (tagKey.Length is 0 or > 128)
            {
                return (null, "tag", "Give a tag as NAME or NAME=VALUE, the name 1 to 128 characters.");
            }
        }
        sort = string.IsNullOrEmpty(sort) ? "submitted" : sort;
        if (!Columns.Contains(sort) && !LabelPrefixes.Any(p => sort.StartsWith(p, StringComparison.Ordinal) && sort.Length > p.Length))
        {
            return (null, "sort", $"Unknown column '{sort}'; use one of {string.Join(", ", Columns)}, param:NAME, tag:NAME or metric:NAME.");
        }
        if (order is not (null or "" or "asc" or "desc"))
        {
            return (null, "order", "Use asc or desc.");
        }
        if (limit is < 1 or > MaxLimit)
        {
            return (null, "limit", $"Must be between 1 and {MaxLimit}.");
        }
        (SortKey, string)? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (DecodeCursor(cursor) is not { } decoded)
            {
                return (null, "cursor", "Not a cursor from this API; pass the nextCursor of the previous page unchanged.");
            }
            after = decoded;
        }
        return (new JobTableQuery
        {
            Project = string.IsNullOrEmpty(project) ? null : project,
            User = string.IsNullOrEmpty(user) ? null : user,
            States = states,
            TagKey = tagKey,
            TagValue = tagValue,
            Sort = sort,
            Descending = order is null or "" ? sort == "submitted" : order == "desc",
            After = after,
            Limit = limit ?? DefaultLimit,
        }, null, null);
    }

    /// <summary>
    /// One page over <paramref name="rows"/>: the <see cref="Limit"/> first matching rows after the
    /// cursor, picked with a bounded heap (no full sort of every job).
    /// </summary>
    public JobTablePage Run(IReadOnlyList<JobRow> rows, long version, string? owner)
    {
        var total = 0;
        var afterCount = 0;
        var worstFirst = Comparer<(SortKey Key, string Id)>.Create((a, b) => Compare(b, a));
        var heap = new PriorityQueue<JobRow, (SortKey, string)>(Limit + 1, worstFirst);
        foreach (var row in rows)
        {
            if (!Matches(row, owner))
            {
                continue;
            }
            total++;
            var key = (KeyOf(row), row.Id);
            if (After is { } after && Compare(key, after) <= 0)
            {
                continue;
            }
            afterCount++;
            if (heap.Count < Limit)
            {
                heap.Enqueue(row, key);
            }
            else if (heap.TryPeek(out _, out var worst) && Compare(key, worst) < 0)
            {
                heap.EnqueueDequeue(row, key);
            }
        }
        var items = new JobRow[heap.Count];
        for (var i = items.Length - 1; i >= 0; i--)
        {
            items[i] = heap.Dequeue();
        }
        var next = afterCount > items.Length && items.Length > 0 ? EncodeCursor(KeyOf(items[^1]), items[^1].Id) : null;
        return new JobTablePage(total, items, next, version);
    }

    private bool Matches(JobRow row, string? owner) =>
        (owner is null || string.Equals(row.Owner, owner, StringComparison.Ordinal))
        && (Project is null || row.Project == Project)
        && (User is null || string.Equals(row.Username, User, StringComparison.Ordinal))
        && (States is null || States.Contains(row.State))
        && (TagKey is null || (row.Tags.TryGetValue(TagKey, out var v) && (TagValue is null || v == TagValue)));

    private int Compare((SortKey Key, string Id) a, (SortKey Key, string Id) b)
    {
        var c = a.Key.CompareTo(b.Key);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Id, b.Id);
        }
        return Descending ? -c : c;
    }

    private SortKey KeyOf(JobRow row) => Sort switch
    {
        "id" => new SortKey(2, 0, row.Id),
        "name" => new SortKey(row.Name is null ? 0 : 2, 0, row.Name),
        "project" => new SortKey(2, 0, row.Project),
        "user" => new SortKey(row.Username is null ? 0 : 2, 0, row.Username),
        "state" => new SortKey(2, 0, row.State.ToString()),
        "node" => new SortKey(row.Node is null ? 0 : 2, 0, row.Node),
        "attempt" => SortKey.Of(row.Attempt),
        "priority" => SortKey.Of(row.Priority),
        "exit" => SortKey.Of(row.ExitCode),
        "submitted" => SortKey.Of(row.SubmittedAt.ToUnixTimeMilliseconds()),
        "started" => SortKey.Of(row.StartedAt?.ToUnixTimeMilliseconds()),
        "finished" => SortKey.Of(row.FinishedAt?.ToUnixTimeMilliseconds()),
        "duration" => SortKey.Of(row.StartedAt is { } s && row.FinishedAt is { } f ? (f - s).TotalMilliseconds : null),
        _ when Sort.StartsWith("param:", StringComparison.Ordinal) => SortKey.Of(row.Params.GetValueOrDefault(Sort[6..])),
        _ when Sort.StartsWith("metric:", StringComparison.Ordinal) => SortKey.Of(row.Metrics.TryGetValue(Sort[7..], out var m) ? m : null),
        _ => SortKey.Of(row.Tags.GetValueOrDefault(Sort[4..])),
    };

    private static string EncodeCursor(SortKey key, string id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(id + "\n" + key));

    private static (SortKey, string)? DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var nl = text.IndexOf('\n', StringComparison.Ordinal);
            return nl > 0 && SortKey.TryParse(text[(nl + 1)..], out var key) ? (key, text[..nl]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
