using Atlas.Core.Containers;
using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Atlas.Bench;

/// <summary>
/// Issue 8's docker figure: in one run, alternately (a) the bare Engine API sequence
/// create+start+wait+remove of a no-op busybox container through Docker.DotNet, and (b) a no-op
/// job of the same image submitted through the gateway to the docker-runtime cluster, timed from
/// its record's submit to its finish (Redis's clock). Prints p50/p90 of both and their ratio.
/// </summary>
internal sealed class DockerScenario(HttpClient client, BenchSettings settings)
{
    public const string Image = "atlas-test/busybox:latest";

    public async Task<(List<double> Bare, List<double> Atlas, List<double> Queued)> RunAsync()
    {
        using var docker = new DockerClientBuilder().WithEndpoint(DockerAddress.Resolve(null)).Build();
        var bare = new List<double>();
        var atlas = new List<double>();
        var queued = new List<double>();
        for (var i = 0; i < settings.WarmupJobs + settings.LatencyJobs; i++)
        {
            var b = await BareAsync(docker);
            var (a, q) = await AtlasAsync();
            if (i >= settings.WarmupJobs)
            {
                bare.Add(b);
                atlas.Add(a);
                queued.Add(q);
            }
        }
        bare.Sort();
        atlas.Sort();
        queued.Sort();
        return (bare, atlas, queued);
    }

    public static void Print(TextWriter writer, List<double> bare, List<double> atlas, List<double> queued)
    {
        double P(List<double> xs, double q) => Scenarios.Percentile(xs, q);
        writer.WriteLine($"bare create+start+wait+remove  p50 {P(bare, 0.5):F1} ms  p90 {P(bare, 0.9):F1} ms  (n={bare.Count})");
        writer.WriteLine($"atlas submit-to-finished      p50 {P(atlas, 0.5):F1} ms  p90 {P(atlas, 0.9):F1} ms  (n={atlas.Count})");
        writer.WriteLine($"  of which submit-to-started  p50 {P(queued, 0.5):F1} ms  p90 {P(queued, 0.9):F1} ms (placement, claim, image and container creation, to the container's start)");
        writer.WriteLine($"ratio atlas/bare              p50 {P(atlas, 0.5) / P(bare, 0.5):F2}  p90 {P(atlas, 0.9) / P(bare, 0.9):F2}");
    }

    private static async Task<double> BareAsync(DockerClient docker)
    {
        var clock = Stopwatch.StartNew();
        var id = (await docker.Containers.CreateContainerAsync(new CreateContainerParameters { Image = Image, Cmd = ["true"] })).ID;
        await docker.Containers.StartContainerAsync(id, new ContainerStartParameters());
        await docker.Containers.WaitContainerAsync(id);
        await docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
        return clock.Elapsed.TotalMilliseconds;
    }

    private async Task<(double Total, double Queued)> AtlasAsync()
    {
        using var content = Scenarios.SubmitContent("bench", Image);
        var job = await Scenarios.RunToEndAsync(client, content, TimeSpan.FromMilliseconds(5));
        return ((job.FinishedAt!.Value - job.SubmittedAt).TotalMilliseconds, (job.StartedAt!.Value - job.SubmittedAt).TotalMilliseconds);
    }
}
