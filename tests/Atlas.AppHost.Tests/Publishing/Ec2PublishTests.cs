using System.Text.Json.Nodes;
using Atlas.Testing;

namespace Atlas.AppHost.Tests.Publishing;

/// <summary><c>publish-ec2</c>: CloudFormation templates from the app model, one per deployment type.</summary>
public sealed class Ec2PublishTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Types = ["simple", "vpc", "efs", "secure"];

    private readonly TempFolder _output = new("atlas-ec2-publish");

    public void Dispose() => _output.Dispose();

    [Fact]
    public async Task PublishEc2_TwoRuns_ByteIdenticalTemplatesWithOneInstancePerWorkerResource()
    {
        await PublishAsync("a");
        await PublishAsync("b");

        foreach (var type in Types)
        {
            var first = await File.ReadAllBytesAsync(_output.Combine("a", "ec2", $"atlas-{type}.json"), Ct);
            (await File.ReadAllBytesAsync(_output.Combine("b", "ec2", $"atlas-{type}.json"), Ct)).ShouldBe(first, type);
            var resources = JsonNode.Parse(first)!["Resources"]!.AsObject();
            resources.Select(r => r.Key).Where(k => System.Text.RegularExpressions.Regex.IsMatch(k, "^StaticWorker[0-9]+$")).ShouldBe(["StaticWorker1", "StaticWorker2", "StaticWorker3"], type);
            ((string)resources["StaticWorker3"]!["Properties"]!["Tags"]![0]!["Value"]!["Fn::Sub"]!).ShouldBe("${AWS::StackName}-worker-3");
        }
    }

    [Fact]
    public async Task PublishEc2_NodesUseTheBareMetalBundlesPorts()
    {
        await PublishAsync("same", "publish-ec2");
        await PublishAsync("same", "publish-baremetal");

        // The nodes install the bare-metal bundle: the template wires them to the ports its services listen on.
        var workerUrl = File.ReadAllLines(_output.Combine("same", "baremetal", "worker", "env", "worker.env"))
            .Single(l => l.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal));
        var redisPort = File.ReadAllLines(_output.Combine("same", "baremetal", "master", "env", "gateway.env"))
            .Single(l => l.StartsWith("REDIS_PORT=", StringComparison.Ordinal))["REDIS_PORT=".Length..];
        var template = await File.ReadAllTextAsync(_output.Combine("same", "ec2", "atlas-simple.json"), Ct);
        template.ShouldContain(workerUrl.Replace("@NODE_HOST@", "$IP", StringComparison.Ordinal));
        template.ShouldContain($"REDIS_ADDRESS=${{MasterInstance.PrivateIp}}:{redisPort}");
    }

    private async Task PublishAsync(string folder, string step = "publish-ec2")
    {
        var (code, output) = await AppHostRun.RunAsync(typeof(Ec2PublishTests).Assembly,
            ["--workers", "3", "--operation", "publish", "--step", step, "--output-path", _output.Combine(folder)], Ct);
        code.ShouldBe(0, output);
    }
}
