using Atlas.Core.Tracking;

namespace Atlas.Core.Tests.Tracking;

public sealed class SeriesStateTests
{
    [Fact]
    public void Add_PastTheCap_DownsamplesKeepingLastAndExtremesInOrder()
    {
        var series = new SeriesState("x", cap: 100);
        for (var i = 0; i < 100_000; i++)
        {
            series.Add(new MetricPoint(i, i == 31_337 ? 1e6 : i == 77_777 ? -1e6 : Math.Sin(i), i));
        }

        series.Points.Count.ShouldBeLessThanOrEqualTo(100);
        series.Points.Count.ShouldBeGreaterThan(40);
        series.Points.Max(p => p.Value).ShouldBe(1e6);
        series.Points.Min(p => p.Value).ShouldBe(-1e6);
        series.Points[^1].Step.ShouldBe(99_999);
        series.Points.Select(p => p.Time).ShouldBe(series.Points.Select(p => p.Time).Order());
        series.Summary.ShouldBe(new MetricSummary(Math.Sin(99_999), -1e6, 1e6, 99_999));
    }

    [Fact]
    public void TakePending_AppendsNewPointsThenRewritesAfterDownsample()
    {
        var series = new SeriesState("x", cap: 8);
        series.Add(new MetricPoint(null, 1, 1));
        series.Add(new MetricPoint(null, 2, 2));

        var (rewrite, bytes) = series.TakePending();
        rewrite.ShouldBeFalse();
        PointCodec.Decode(bytes).ShouldBe([new MetricPoint(null, 1, 1), new MetricPoint(null, 2, 2)]);
        series.Add(new MetricPoint(null, 3, 3));
        (rewrite, bytes) = series.TakePending();
        rewrite.ShouldBeFalse();
        PointCodec.Decode(bytes).ShouldBe([new MetricPoint(null, 3, 3)]);
        for (var i = 0; i < 10; i++)
        {
            series.Add(new MetricPoint(i, i, i));
        }
        (rewrite, bytes) = series.TakePending();
        rewrite.ShouldBeTrue();
        PointCodec.Decode(bytes).ShouldBe(series.Points);
        series.HasPending.ShouldBeFalse();
    }

    [Fact]
    public void PointCodec_RoundTrip_KeepsMissingStepsAndDropsATornTail()
    {
        MetricPoint[] points = [new(null, 0.31, 1_733_000_000_000), new(long.MaxValue, double.Epsilon, 0)];
        var bytes = PointCodec.Encode(points);

        PointCodec.Decode(bytes).ShouldBe(points);
        PointCodec.Decode(bytes.AsSpan(0, bytes.Length - 5)).ShouldBe([points[0]]);
    }
}
