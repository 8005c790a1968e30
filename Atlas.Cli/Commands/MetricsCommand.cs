using System.CommandLine;
using System.Globalization;
using Atlas.Cli.Output;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas metrics &lt;id&gt; [--follow] [--names a,b]</c>: each metric's points, last, min, max and step;
/// with <c>--follow</c>, then every new point as it comes until the job ends.
/// </summary>
internal static class MetricsCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var id = CommandAction.JobId();
        var follow = new Option<bool>("--follow", "-f") { Description = "then print each new point as the job reports it, until it ends" };
        var names = new Option<string?>("--names") { Description = "only these metrics, comma-separated (loss,acc)" };
        var metrics = new Command("metrics", "Show the metrics a job reported.") { id, follow, names };
        CommandAction.Set(metrics, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            var jobId = parse.GetValue(id)!;
            var wanted = Numbers.List(parse.GetValue(names));
            var view = await client.GetMetricsAsync(jobId, wanted, cancellationToken);
            var json = parse.GetValue(globals.Output) == OutputFormat.Json;
            if (json && !parse.GetValue(follow))
            {
                JsonOutput.Write(context.Out, view);
                return 0;
            }
            if (!json)
            {
                var table = Tables.Create(context, "metric", "points", "last", "min", "max", "step");
                foreach (var s in view.Series)
                {
                    var sum = Numbers.Summarize(s);
                    table.Row(s.Name, s.Values.Count.ToString(CultureInfo.InvariantCulture),
                        sum is null ? "-" : Numbers.Value(sum.Last), sum is null ? "-" : Numbers.Value(sum.Min), sum is null ? "-" : Numbers.Value(sum.Max), Numbers.Step(sum?.Step));
                }
                CliConsole.Write(context, table);
                if (view.SkippedLines > 0 || view.RejectedValues > 0)
                {
                    await context.Out.WriteLineAsync($"skipped lines: {view.SkippedLines}, rejected values: {view.RejectedValues}");
                    foreach (var warning in view.Warnings)
                    {
                        await context.Out.WriteLineAsync($"  {warning}");
                    }
                }
            }
            if (parse.GetValue(follow))
            {
                // One line per point; JSON lines with --output json.
                await foreach (var e in client.FollowMetricsAsync(jobId, view.Cursor, wanted, cancellationToken))
                {
                    await context.Out.WriteLineAsync(json
                        ? System.Text.Json.JsonSerializer.Serialize(e, Core.AtlasJson.Options)
                        : $"{Formats.Time(DateTimeOffset.FromUnixTimeMilliseconds(e.Time))}  {e.Name}  step {Numbers.Step(e.Step)}  {Numbers.Value(e.Value)}");
                    await context.Out.FlushAsync(cancellationToken);
                }
            }
            return 0;
        });
        return metrics;
    }
}
