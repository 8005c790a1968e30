using System.CommandLine;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas rm &lt;id&gt;</c>: remove a finished job, its logs and outputs.</summary>
internal static class RemoveCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var id = CommandAction.JobId();
        var rm = new Command("rm", "Remove a finished job with its logs and outputs.") { id };
        CommandAction.Set(rm, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            await client.DeleteAsync(parse.GetValue(id)!, cancellationToken);
            await context.Out.WriteLineAsync($"{parse.GetValue(id)} removed");
            return 0;
        });
        return rm;
    }
}
