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

    [Fact]
    public void ForTick_SameScheduleAndTick_SameValidIdOfThatTime()
    {
        var tick = new DateTimeOffset(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

        var id = JobId.ForTick("01kbfz0000abcdef", tick);

        JobId.IsValid(id).ShouldBeTrue();
        JobId.ForTick("01kbfz0000abcdef", tick).ShouldBe(id);
        id[..10].ShouldBe(JobId.New(tick)[..10]); // sorts by the tick's time, like any job id
        JobId.ForTick("01kbfz0000abcdef", tick.AddDays(1)).ShouldNotBe(id);
        JobId.ForTick("01kbfz0000zzzzzz", tick).ShouldNotBe(id);
    }
}
