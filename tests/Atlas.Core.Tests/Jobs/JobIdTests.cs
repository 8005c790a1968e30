using Atlas.Core.Jobs;

namespace Atlas.Core.Tests.Jobs;

public class JobIdTests
{
    [Fact]
    public void New_LaterTime_SortsAfter()
    {
        var t = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 100).Select(i => JobId.New(t.AddMilliseconds(i))).ToList();
        ids.ShouldBe(ids.Order(StringComparer.Ordinal).ToList());
        ids.ShouldAllBe(id => JobId.IsValid(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("../../etc/passwd")]
    [InlineData("0123456789ABCDEF")]
    [InlineData("0123456789abcdefg")]
    public void IsValid_NotAnId_IsFalse(string? value) => JobId.IsValid(value).ShouldBeFalse();
}
