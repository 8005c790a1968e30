using System.Text;
using Atlas.Core.Tracking;

namespace Atlas.Core.Tests.Tracking;

public sealed class TrackingLineParserTests
{
    [Fact]
    public void Parse_Metric_NameValueAndOptionalStep()
    {
        Parse("""{"metric":"loss","value":0.31,"step":120}""").Entry.ShouldBe(new TrackingEntry(EntryKind.Metric, "loss", 0.31, null, 120));
        Parse("""{"metric":"train/acc","value":1}""").Entry.ShouldBe(new TrackingEntry(EntryKind.Metric, "train/acc", 1, null, null));
    }

    [Theory]
    [InlineData("""{"param":"lr","value":0.001}""", EntryKind.Param, "lr", "0.001")]
    [InlineData("""{"param":"opt","value":"adam"}""", EntryKind.Param, "opt", "adam")]
    [InlineData("""{"param":"aug","value":true}""", EntryKind.Param, "aug", "true")]
    [InlineData("""{"tag":"stage","value":"baseline"}""", EntryKind.Tag, "stage", "baseline")]
    public void Parse_ParamOrTag_ValueAsText(string line, EntryKind kind, string name, string text) =>
        Parse(line).Entry.ShouldBe(new TrackingEntry(kind, name, 0, text, null));

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"metric":"loss"}""")]
    [InlineData("""{"metric":"","value":1}""")]
    [InlineData("""{"metric":"loss","value":"high"}""")]
    [InlineData("""{"metric":"loss","value":1,"step":-1}""")]
    [InlineData("""{"metric":"loss","value":1,"step":1.5}""")]
    [InlineData("""{"param":"lr","value":null}""")]
    [InlineData("""{"other":1}""")]
    [InlineData("")]
    public void Parse_Garbage_IsAFaultNeverAnException(string line) => Parse(line).Fault.ShouldBe(LineFault.Garbage);

    [Theory]
    [InlineData("""{"metric":"loss","value":NaN}""")]
    [InlineData("""{"metric":"loss","value":-Infinity}""")]
    [InlineData("""{"metric":"loss","value":1e999}""")]
    [InlineData("""{"metric":"loss","value":"nan"}""")]
    [InlineData("""{"metric":"loss","value":"Infinity"}""")]
    public void Parse_NotFinite_IsRefusedAsSuch(string line) => Parse(line).Fault.ShouldBe(LineFault.NonFinite);

    [Theory]
    [InlineData("model.pt", "model.pt")]
    [InlineData("ckpt/./1.pt", "ckpt/1.pt")]
    [InlineData("a/../b.pt", "b.pt")]
    [InlineData("/job/out/m.pt", "m.pt")]
    public void Parse_ArtifactUnderOutputDir_IsTakenRelative(string path, string relative) =>
        Parse($$"""{"artifact":"{{path}}"}""", "/job/out").Entry.Name.ShouldBe(relative);

    [Theory]
    [InlineData("../spec.json")]
    [InlineData("a/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("/job/outside")]
    [InlineData(".")]
    public void Parse_ArtifactLeavingOutputDir_IsRefused(string path) =>
        Parse($$"""{"artifact":"{{path}}"}""", "/job/out").Fault.ShouldBe(LineFault.OutsideOutputDir);

    private static ParsedLine Parse(string line, string? outputDir = null) => TrackingLineParser.Parse(Encoding.UTF8.GetBytes(line), outputDir);
}
