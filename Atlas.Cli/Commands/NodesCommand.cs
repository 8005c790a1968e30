using System.CommandLine;
using System.Globalization;
using Atlas.Cli.Output;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas nodes</c>: the worker nodes, their state and load.</summary>
internal static class NodesCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var nodes = new Command("nodes", "List the worker nodes.");
        CommandAction.Set(nodes, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            var list = await client.ListNodesAsync(cancellationToken);
            if (parse.GetValue(globals.Output) == OutputFormat.Json)
            {
                JsonOutput.Write(context.Out, list);
                return 0;
            }
            var table = Tables.Create(context, "name", "state", "runtime", "slots", "running", "address", "last seen");
            foreach (var n in list)
            {
                table.Row(
                    n.Name, n.State.ToString().ToLowerInvariant(), n.Runtime, n.Slots.ToString(CultureInfo.InvariantCulture),
                    n.Running.ToString(CultureInfo.InvariantCulture), n.Address, Formats.Time(n.LastSeen));
            }
            CliConsole.Write(context, table);
            return 0;
        });
        return nodes;
    }
}
