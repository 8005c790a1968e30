using System.CommandLine;
using System.Globalization;
using Atlas.Core.Jobs;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas priority &lt;id&gt; N</c>: a waiting job's new priority (-100..100, higher runs first);
/// <c>atlas priority &lt;id&gt; --top</c>: first among your own waiting jobs.
/// </summary>
internal static class PriorityCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var id = CommandAction.JobId();
        var value = new Argument<string?>("priority") { Description = "-100..100, higher runs first", Arity = ArgumentArity.ZeroOrOne };
        var top = new Option<bool>("--top") { Description = "put the job first among your waiting jobs" };
        var command = new Command("priority", "Change a waiting job's priority, or put it first among yours (--top).") { id, value, top };
        CommandAction.Set(command, context, async (parse, cancellationToken) =>
        {
            var text = parse.GetValue(value);
            var isTop = parse.GetValue(top);
            int? priority = null;
            if (text is not null)
            {
                if (isTop)
                {
                    throw new CliException("priority: give a number or --top, not both", 2);
                }
                if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                    || n is < -JobSpecValidator.MaxPriority or > JobSpecValidator.MaxPriority)
                {
                    throw new CliException($"priority: '{text}' is not a whole number between {-JobSpecValidator.MaxPriority} and {JobSpecValidator.MaxPriority}", 2);
                }
                priority = n;
            }
            else if (!isTop)
            {
                throw new CliException("priority: give a number (-100..100) or --top", 2);
            }
            using var client = globals.Client(parse, context);
            var job = await client.SetPriorityAsync(parse.GetValue(id)!, priority, isTop, cancellationToken);
            await context.Out.WriteLineAsync($"{job.Id} priority {job.Priority.ToString(CultureInfo.InvariantCulture)}{(isTop ? ", first of your waiting jobs" : "")}");
            return 0;
        });
        return command;
    }
}
