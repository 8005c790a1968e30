using System.CommandLine;
using System.Globalization;
using Atlas.Cli.Output;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas nodes</c>: the worker nodes, their state, and what each has and has in use (slots,
/// GPUs with their ids, CPU, memory), and whether it enforces CPU and memory limits (and why not).
/// </summary>
internal static class NodesCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var nodes = new Command("nodes", "List the worker nodes: capacity, what is in use, and how limits are enforced.");
        CommandAction.Set(nodes, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            var list = await client.ListNodesAsync(cancellationToken);
            if (parse.GetValue(globals.Output) == OutputFormat.Json)
            {
                JsonOutput.Write(context.Out, list);
                return 0;
            }
            var table = Tables.Create(context, "name", "state", "runtime", "slots", "gpus", "cpu", "memory", "limits", "address", "last seen");
            foreach (var n in list)
            {
                table.Row(
                    n.Name, n.State.ToString().ToLowerInvariant(), n.Runtime, $"{Int(n.Running)}/{Int(n.Slots)}",
                    Gpus(n), Cpu(n), Memory(n), n.Limits, n.Address, Formats.Time(n.LastSeen));
            }
            CliConsole.Write(context, table);
            // What does not fit in a column: the GPUs' models, and why a node does not enforce limits.
            foreach (var n in list)
            {
                if (n.Gpus.Any(g => g.Model is { Length: > 0 } and not "declared"))
                {
                    context.Out.WriteLine($"{n.Name} GPUs: {string.Join("; ", n.Gpus.Select(g => $"{g.Id} {g.Model} ({g.MemoryMiB.ToString(CultureInfo.InvariantCulture)} MiB)"))}");
                }
                if (n.Limits == NodeLimits.None && n.LimitsNote.Length > 0)
                {
                    context.Out.WriteLine($"{n.Name} limits none: {n.LimitsNote}");
                }
            }
            return 0;
        });
        return nodes;
    }

    // "1/2 [0*,1]": used/total, then the ids, those in use starred; "-" without any.
    private static string Gpus(NodeView n)
    {
        if (n.Gpus.Count == 0)
        {
            return "-";
        }
        var used = n.GpusInUse.ToHashSet(StringComparer.Ordinal);
        var ids = string.Join(',', n.Gpus.Select(g => used.Contains(g.Id) ? g.Id + "*" : g.Id));
        return $"{Int(n.Gpus.Count(g => used.Contains(g.Id)))}/{Int(n.Gpus.Count)} [{ids}]";
    }

    private static string Cpu(NodeView n) =>
        n.CpuMillis == 0 ? "-" : $"{Cores(n.CpuMillisInUse)}/{Cores(n.CpuMillis)}";

    private static string Memory(NodeView n) =>
        n.MemoryBytes == 0 ? "-" : $"{(n.MemoryBytesInUse == 0 ? "0" : Quantities.FormatBytes(n.MemoryBytesInUse))}/{Quantities.FormatBytes(n.MemoryBytes)}";

    private static string Cores(long millis) => (millis / 1000.0).ToString("0.##", CultureInfo.InvariantCulture);

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);
}
