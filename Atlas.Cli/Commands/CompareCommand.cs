using System.CommandLine;
using Atlas.Cli.Output;
using Atlas.Core.Tracking;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas compare &lt;id&gt; &lt;id&gt;…</c>: the jobs' params, tags and metrics side by side, one column a
/// job; a <c>*</c> marks each row whose values differ.
/// </summary>
internal static class CompareCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var ids = new Argument<string[]>("ids") { Description = "two or more job ids", Arity = ArgumentArity.OneOrMore };
        var names = new Option<string?>("--names") { Description = "only these metrics, comma-separated" };
        var compare = new Command("compare", "Compare jobs: params, tags and metrics side by side, differences marked.") { ids, names };
        CommandAction.Set(compare, context, async (parse, cancellationToken) =>
        {
            var jobIds = parse.GetValue(ids)!.Distinct(StringComparer.Ordinal).ToList();
            if (jobIds.Count < 2)
            {
                throw new CliException("compare: give at least two job ids", 2);
            }
            using var client = globals.Client(parse, context);
            var wanted = Numbers.List(parse.GetValue(names));
            var runs = new List<RunView>();
            foreach (var jobId in jobIds)
            {
                var job = await client.GetJobAsync(jobId, cancellationToken);
                var metrics = await client.GetMetricsAsync(jobId, wanted, cancellationToken);
                runs.Add(RunView.Of(job, metrics.Series.Select(s => (s.Name, Sum: Numbers.Summarize(s))).Where(s => s.Sum is not null)
                    .ToDictionary(s => s.Name, s => s.Sum!, StringComparer.Ordinal)));
            }
            if (parse.GetValue(globals.Output) == OutputFormat.Json)
            {
                JsonOutput.Write(context.Out, runs);
                return 0;
            }
            var table = Tables.Create(context, ["", "field", .. runs.Select(r => r.JobId)]);
            void Row(string field, Func<RunView, string?> cell)
            {
                var cells = runs.Select(r => cell(r) ?? "-").ToList();
                table.Row([cells.Distinct(StringComparer.Ordinal).Count() > 1 ? "*" : "", field, .. cells]);
            }
            Row("name", r => r.Name);
            Row("state", r => r.State.ToString().ToLowerInvariant());
            foreach (var p in runs.SelectMany(r => r.Params.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                Row($"param {p}", r => r.Params.GetValueOrDefault(p));
            }
            foreach (var t in runs.SelectMany(r => r.Tags.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                Row($"tag {t}", r => r.Tags.GetValueOrDefault(t));
            }
            foreach (var m in runs.SelectMany(r => r.Metrics.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                Row($"{m} last", r => r.Metrics.TryGetValue(m, out var s) ? Numbers.Value(s.Last) : null);
                Row($"{m} min", r => r.Metrics.TryGetValue(m, out var s) ? Numbers.Value(s.Min) : null);
                Row($"{m} max", r => r.Metrics.TryGetValue(m, out var s) ? Numbers.Value(s.Max) : null);
                Row($"{m} step", r => r.Metrics.TryGetValue(m, out var s) ? Numbers.Step(s.Step) : null);
            }
            CliConsole.Write(context, table);
            return 0;
        });
        return compare;
    }
}
