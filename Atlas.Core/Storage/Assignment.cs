using System.Globalization;

namespace Atlas.Core.Storage;

/// <summary>An entry of a node's inbox: a job placed there, under the fencing token of that placement.</summary>
public readonly record struct Assignment(string Id, long Fence)
{
    /// <summary>Reads an inbox entry (<c>id:fence</c>); null for anything else.</summary>
    public static Assignment? Parse(string? entry)
    {
        var colon = entry?.LastIndexOf(':') ?? -1;
        return colon > 0 && long.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var fence)
            ? new Assignment(entry![..colon], fence)
            : null;
    }
}
