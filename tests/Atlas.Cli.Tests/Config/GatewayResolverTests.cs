using Atlas.Cli.Config;
using Atlas.Testing;

namespace Atlas.Cli.Tests.Config;

public sealed class GatewayResolverTests : IDisposable
{
    private readonly TempFolder _home = new("atlas-home");

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Resolve_Nothing_IsLocalDefault() =>
        GatewayResolver.Resolve(Context(env: null), null).ShouldBe(new Uri("http://127.0.0.1:5558"));

    [Fact]
    public void Resolve_EnvAndContext_EnvWinsUnlessContextNamed()
    {
        WriteConfig("current-context: prod\ncontexts:\n  prod:\n    scheduler_url: http://prod:5558\n  dev:\n    scheduler_url: http://dev:5558\n");

        GatewayResolver.Resolve(Context("http://env:1"), null).ShouldBe(new Uri("http://env:1"));
        GatewayResolver.Resolve(Context(null), null).ShouldBe(new Uri("http://prod:5558"));
        GatewayResolver.Resolve(Context("http://env:1"), "dev").ShouldBe(new Uri("http://dev:5558"));
    }

    [Fact]
    public void Resolve_UnknownContext_ErrorNamesIt()
    {
        var error = Should.Throw<CliException>(() => GatewayResolver.Resolve(Context(null), "staging"));

        error.Message.ShouldContain("'staging'");
        error.Message.ShouldStartWith("--context");
        error.ExitCode.ShouldBe(2);
    }

    [Fact]
    public void Resolve_BadUrlInEnv_ErrorNamesVariable() =>
        Should.Throw<CliException>(() => GatewayResolver.Resolve(Context("ftp://x"), null)).Message.ShouldStartWith("ATLAS_URL");

    [Fact]
    public void Resolve_BrokenYaml_ErrorNamesFile()
    {
        WriteConfig("contexts: [unclosed");

        Should.Throw<CliException>(() => GatewayResolver.Resolve(Context(null), null)).Message.ShouldContain("config.yaml");
    }

    [Theory]
    [InlineData("http://127.0.0.1:5558", null, "url-127.0.0.1_5558")]
    [InlineData("http://Atlas.Example:5558", null, "url-atlas.example_5558")]
    [InlineData("http://x:1", "lab", "lab")]
    [InlineData("http://x:1", "../../etc/x", "______etc_x")]
    public void SessionKey_UrlOrContext_IsAPlainFileName(string url, string? context, string expected) =>
        new GatewayTarget(new Uri(url), context).SessionKey.ShouldBe(expected);

    private CliContext Context(string? env) =>
        new(TextWriter.Null, TextWriter.Null, name => name == "ATLAS_URL" ? env : null, _home.Path);

    private void WriteConfig(string yaml)
    {
        Directory.CreateDirectory(_home.Combine(".atlas"));
        File.WriteAllText(_home.Combine(".atlas", "config.yaml"), yaml);
    }
}
