using Atlas.Core.Jobs;

namespace Atlas.Core.Tests.Jobs;

public sealed class GroupExpanderTests
{
    private static readonly JobSpec Train = new() { Command = ["python", "train.py", "--lr", "{lr}", "--bs", "{bs}"], Params = new Dictionary<string, string> { ["epochs"] = "3" } };

    private static readonly GroupSpec Sweep = new() { Sweep = [new SweepAxis("lr", ["0.1", "0.01"]), new SweepAxis("bs", ["32", "64"])] };

    [Fact]
    public void Expand_TwoAxes_CartesianProductLastAxisFastestWithValuesSubstitutedAndAsParams()
    {
        GroupExpander.Validate(Train, Sweep, 100).ShouldBeEmpty();

        var jobs = GroupExpander.Expand(Train, Sweep);

        jobs.Select(j => string.Join(' ', j.Command)).ShouldBe([
            "python train.py --lr 0.1 --bs 32",
            "python train.py --lr 0.1 --bs 64",
            "python train.py --lr 0.01 --bs 32",
            "python train.py --lr 0.01 --bs 64",
        ]);
        jobs[3].Params.ShouldBe(new Dictionary<string, string> { ["epochs"] = "3", ["lr"] = "0.01", ["bs"] = "64" }, ignoreOrder: true);
        jobs.ShouldAllBe(j => !j.Env.ContainsKey(GroupExpander.ArrayIndexVariable));
    }

    [Fact]
    public void Expand_Array_OneJobPerIndexWithTheIndexVariableAndPlaceholder()
    {
        var group = new GroupSpec { Array = new JobArray(3, 5) };
        var spec = new JobSpec { Command = ["echo", "shard-{index}", "{{literal}}"] };
        GroupExpander.Validate(spec, group, 100).ShouldBeEmpty();

        var jobs = GroupExpander.Expand(spec, group);

        jobs.Select(j => j.Env[GroupExpander.ArrayIndexVariable]).ShouldBe(["3", "4", "5"]);
        jobs.Select(j => j.Command[1]).ShouldBe(["shard-3", "shard-4", "shard-5"]);
        jobs[0].Command[2].ShouldBe("{literal}");
        jobs[0].Params!["index"].ShouldBe("3");
    }

    [Fact]
    public void Expand_SweepAndArray_ProductOfBoth()
    {
        var group = new GroupSpec { Sweep = [new SweepAxis("lr", ["a", "b"])], Array = new JobArray(0, 2) };

        GroupExpander.Count(group).ShouldBe(6);
        GroupExpander.Expand(new JobSpec { Command = ["x", "{lr}-{index}"] }, group).Select(j => j.Command[1]).ShouldBe(["a-0", "b-0", "a-1", "b-1", "a-2", "b-2"]);
    }

    [Theory]
    [InlineData("{momentum}", "command")]
    [InlineData("{index}", "command")] // no array: {index} names nothing
    public void Validate_UnknownPlaceholder_NamesTheCommand(string arg, string field)
    {
        GroupExpander.Validate(new JobSpec { Command = ["x", arg] }, Sweep, 100).Keys.ShouldBe([field]);
    }

    public static TheoryData<GroupSpec, string> BadGroups => new()
    {
        { new GroupSpec(), "group" },
        { new GroupSpec { Sweep = [new SweepAxis("1lr", ["1"])] }, "group.sweep" },
        { new GroupSpec { Sweep = [new SweepAxis("index", ["1"])] }, "group.sweep" },
        { new GroupSpec { Sweep = [new SweepAxis("lr", ["1"]), new SweepAxis("lr", ["2"])] }, "group.sweep" },
        { new GroupSpec { Sweep = [new SweepAxis("epochs", ["1"])] }, "group.sweep" }, // also a fixed param
        { new GroupSpec { Sweep = [new SweepAxis("lr", [])] }, "group.sweep" },
        { new GroupSpec { Array = new JobArray(5, 2) }, "group.array" },
        { new GroupSpec { Array = new JobArray(0, 9), MaxRunning = -1 }, "group.maxRunning" },
        { new GroupSpec { Array = new JobArray(0, 100) }, "group" }, // 101 jobs, over the limit of 100
    };

    [Theory]
    [MemberData(nameof(BadGroups))]
    public void Validate_BadGroup_NamesTheField(GroupSpec group, string field)
    {
        GroupExpander.Validate(Train with { Command = ["x"] }, group, 100).Keys.ShouldBe([field]);
    }

    [Theory]
    [InlineData("0-99%10", 0, 99, 10)]
    [InlineData("0-99", 0, 99, 0)]
    [InlineData("4", 0, 3, 0)]
    [InlineData("7-7%1", 7, 7, 1)]
    public void TryParse_ArrayText_ReadsRangeAndLimit(string text, int start, int end, int max)
    {
        JobArray.TryParse(text, out var array, out var maxRunning, out var error).ShouldBeTrue(error);
        array.ShouldBe(new JobArray(start, end));
        maxRunning.ShouldBe(max);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a-b")]
    [InlineData("9-1")]
    [InlineData("0-9%0")]
    [InlineData("0-99999999")]
    [InlineData("-1-5")]
    public void TryParse_BadText_FalseWithReason(string text)
    {
        JobArray.TryParse(text, out _, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeEmpty();
    }
}
