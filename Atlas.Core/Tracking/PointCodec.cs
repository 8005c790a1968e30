using System.Buffers.Binary;

namespace Atlas.Core.Tracking;

/// <summary>
/// A series as Redis holds it: 24 bytes a point, little-endian — the step (<see cref="long.MinValue"/>
/// when none was given), the value (IEEE double) and the time in unix ms — so appending is one
/// <c>APPEND</c> and a 10,000-point series is 240 KB.
/// </summary>
public static class PointCodec
{
    public const int PointBytes = 24;
    private const long NoStep = long.MinValue;

    public static byte[] Encode(IReadOnlyList<MetricPoint> points, int start = 0)
    {
        var bytes = new byte[(points.Count - start) * PointBytes];
        for (var i = start; i < points.Count; i++)
        {
            var span = bytes.AsSpan((i - start) * PointBytes, PointBytes);
            var p = points[i];
            BinaryPrimitives.WriteInt64LittleEndian(span, p.Step ?? NoStep);
            BinaryPrimitives.WriteDoubleLittleEndian(span[8..], p.Value);
            BinaryPrimitives.WriteInt64LittleEndian(span[16..], p.Time);
        }
        return bytes;
    }

    /// <summary>The points in <paramref name="bytes"/>; a torn last point (a partial write) is left out.</summary>
    public static List<MetricPoint> Decode(ReadOnlySpan<byte> bytes)
    {
        var points = new List<MetricPoint>(bytes.Length / PointBytes);
        for (var offset = 0; offset + PointBytes <= bytes.Length; offset += PointBytes)
        {
            var span = bytes.Slice(offset, PointBytes);
            var step = BinaryPrimitives.ReadInt64LittleEndian(span);
            points.Add(new MetricPoint(step == NoStep ? null : step, BinaryPrimitives.ReadDoubleLittleEndian(span[8..]), BinaryPrimitives.ReadInt64LittleEndian(span[16..])));
        }
        return points;
    }
}
