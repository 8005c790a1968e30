using Atlas.AppHost.Options;

namespace Atlas.AppHost.Tests.Options;

public class AppHostOptionsParserTests
{
    [Fact]
    public void Parse_NoFlags_SeedDefaults()
    {
        var (options, error) = AppHostOptionsParser.Parse([]);

        error.ShouldBeNull();
        options.ShouldBe(new AppHostOptions());
        options!.GatewayPort.ShouldBe(5558);
        options.RedisPort.ShouldBe(5556);
        options.Workers.ShouldBe(2);
    }

    [Fact]
    public void Parse_AllFlags_Read()
    {
        var (options, _) = AppHostOptionsParser.Parse(
            ["--workers", "3", "--slots", "4", "--masters", "2", "--runtime", "process", "--data", "/tmp/x", "--port", "6000", "--redis-port", "6001", "--dashboard-port", "6002", "--appendfsync", "always"]);

        options.ShouldBe(new AppHostOptions
        {
            Workers = 3, Slots = 4, Masters = 2, Runtime = "process", DataDir = "/tmp/x", GatewayPort = 6000, RedisPort = 6001, DashboardPort = 6002, AppendFsync = "always",
        });
    }

    [Theory]
    [InlineData(new[] { "--workers", "0" }, "--workers must be between 1 and 64")]
    [InlineData(new[] { "--workers", "many" }, "--workers must be between 1 and 64")]
    [InlineData(new[] { "--gpus-per-worker", "-1" }, "--gpus-per-worker must be between 0 and 64")]
    [InlineData(new[] { "--gpus-per-worker", "65" }, "--gpus-per-worker must be between 0 and 64")]
    [InlineData(new[] { "--runtime", "podman" }, "--runtime must be docker or process")]
    [InlineData(new[] { "--port", "70000" }, "--port must be between 1 and 65535")]
    [InlineData(new[] { "--port", "5556" }, "--port and --redis-port must differ")]
    [InlineData(new[] { "--dashboard-port", "5558" }, "--dashboard-port must differ from --port and --redis-port")]
    [InlineData(new[] { "--bogus", "1" }, "unknown option --bogus")]
    [InlineData(new[] { "--workers" }, "--workers needs a value")]
    public void Parse_BadFlag_ErrorNamesIt(string[] args, string expected)
    {
        var (options, error) = AppHostOptionsParser.Parse(args);

        options.ShouldBeNull();
        error.ShouldNotBeNull().ShouldStartWith(expected);
    }

    [Fact]
    public void Parse_GpusPerWorker_Read()
    {
        AppHostOptionsParser.Parse(["--gpus-per-worker", "2"]).Options!.GpusPerWorker.ShouldBe(2);
        new AppHostOptions().GpusPerWorker.ShouldBe(0);
    }

    [Fact]
    public void Parse_AuthFlags_Read()
    {
        AppHostOptionsParser.Parse(["--auth"]).Options!.Auth.ShouldBeTrue();
        var (options, error) = AppHostOptionsParser.Parse(["--auth", "--keycloak-url", "https://kc.example.com/realms/atlas/", "--workers", "1"]);

        error.ShouldBeNull();
        options!.KeycloakUrl.ShouldBe("https://kc.example.com/realms/atlas");
        options.Workers.ShouldBe(1);
        AppHostOptionsParser.Parse(["--auth", "--keycloak-port", "6100"]).Options!.KeycloakPort.ShouldBe(6100);
    }

    [Theory]
    [InlineData("--keycloak-url", "https://kc.example.com/realms/atlas")]
    [InlineData("--auth", "--keycloak-url", "kc.example.com")]
    [InlineData("--auth", "--keycloak-port", "5558")]
    public void Parse_BadAuthFlags_ErrorNamesTheFlag(params string[] args)
    {
        var (options, error) = AppHostOptionsParser.Parse(args);

        options.ShouldBeNull();
        error!.ShouldContain("--keycloak-");
    }
}
