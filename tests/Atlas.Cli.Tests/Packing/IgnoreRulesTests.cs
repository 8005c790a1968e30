using Atlas.Cli.Packing;

namespace Atlas.Cli.Tests.Packing;

public class IgnoreRulesTests
{
    [Theory]
    // A name without a slash matches at any depth.
    [InlineData("*.pyc", "a.pyc", false, true)]
    [InlineData("*.pyc", "src/deep/a.pyc", false, true)]
    [InlineData("*.pyc", "a.py", false, false)]
    [InlineData("data", "data", true, true)]
    [InlineData("data", "sub/data", true, true)]
    // A leading or inner slash anchors to the root.
    [InlineData("/data", "data", true, true)]
    [InlineData("/data", "sub/data", true, false)]
    [InlineData("src/gen", "src/gen", true, true)]
    [InlineData("src/gen", "x/src/gen", true, false)]
    // A trailing slash matches folders only.
    [InlineData("build/", "build", true, true)]
    [InlineData("build/", "build", false, false)]
    [InlineData("build/", "a/build", true, true)]
    // Wildcards stay within one name; ** crosses folders.
    [InlineData("src/*.txt", "src/a.txt", false, true)]
    [InlineData("src/*.txt", "src/x/a.txt", false, false)]
    [InlineData("file?.txt", "file1.txt", false, true)]
    [InlineData("file?.txt", "file10.txt", false, false)]
    [InlineData("**/logs", "logs", true, true)]
    [InlineData("**/logs", "a/b/logs", true, true)]
    [InlineData("cache/**", "cache/x/y.bin", false, true)]
    [InlineData("cache/**", "cache", true, false)]
    [InlineData("a/**/b", "a/b", false, true)]
    [InlineData("a/**/b", "a/x/y/b", false, true)]
    [InlineData("a/**/b", "c/a/x/b", false, false)]
    [InlineData("[abc].txt", "b.txt", false, true)]
    [InlineData("[abc].txt", "d.txt", false, false)]
    [InlineData("[!abc].txt", "d.txt", false, true)]
    [InlineData("[a-c]x", "bx", false, true)]
    // Escapes and comments.
    [InlineData("\\#notes", "#notes", false, true)]
    [InlineData("#notes", "#notes", false, false)]
    [InlineData("trailing   ", "trailing", false, true)]
    [InlineData("a.b", "aXb", false, false)]
    public void IsIgnored_OnePattern_MatchesLikeGit(string pattern, string path, bool isDirectory, bool expected) =>
        IgnoreRules.Parse(pattern).IsIgnored(path, isDirectory).ShouldBe(expected);

    [Fact]
    public void IsIgnored_Negation_LastMatchWins()
    {
        var rules = IgnoreRules.Parse("""
            # data files are big
            *.csv
            !keep.csv

            logs/
            """);

        rules.IsIgnored("train.csv", false).ShouldBeTrue();
        rules.IsIgnored("keep.csv", false).ShouldBeFalse();
        rules.IsIgnored("sub/keep.csv", false).ShouldBeFalse();
        rules.IsIgnored("logs", true).ShouldBeTrue();
        rules.IsIgnored("model.py", false).ShouldBeFalse();
    }

    [Fact]
    public void IsIgnored_NegationAfterBroaderPattern_ReincludesOnlyThatFile()
    {
        var rules = IgnoreRules.Parse("*\n!*.py\n");

        rules.IsIgnored("a.py", false).ShouldBeFalse();
        rules.IsIgnored("a.txt", false).ShouldBeTrue();
    }

    [Fact]
    public void Parse_EmptyAndCrLf_Works()
    {
        IgnoreRules.Parse("").IsIgnored("anything", false).ShouldBeFalse();
        IgnoreRules.Parse("a.txt\r\nb.txt\r\n").IsIgnored("b.txt", false).ShouldBeTrue();
    }
}
