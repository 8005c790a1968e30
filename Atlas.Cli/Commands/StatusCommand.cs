using System.CommandLine;
using Atlas.Cli.Output;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas status &lt;id&gt;</c>: one job in detail, with its state history; <c>atlas status G</c>: a group's summary (counts by state).</summary>
internal static class StatusCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var id = CommandAction.JobId();
        var status = new Command("status", "Show a job: its state, exit code, reason and history.") { id };
        CommandAction.Set(status, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            if (Core.Jobs.GroupId.IsValid(parse.GetValue(id)))
            {
                return await GroupAsync(client, parse.GetValue(id)!, parse.GetValue(globals.Output), context, cancellationToken);
            }
            var job = await client.GetJobAsync(parse.GetValue(id)!, cancellationToken);
            if (parse.GetValue(globals.Output) == OutputFormat.Json)
            {
                JsonOutput.Write(context.Out, job);
                return 0;
            }
            var o = context.Out;
            await o.WriteLineAsync($"id:        {job.Id}");
            await o.WriteLineAsync($"name:      {job.Name ?? "-"}");
            await o.WriteLineAsync($"project:   {job.Project}");
            await o.WriteLineAsync($"user:      {job.Username ?? "-"}");
            await o.WriteLineAsync($"state:     {job.State.ToString().ToLowerInvariant()}");
            await o.WriteLineAsync($"exit code: {job.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
            if (job.Reason is not null)
            {
                await o.WriteLineAsync($"reason:    {job.Reason}");
            }
            if (job.WaitReason is not null)
            {
                await o.WriteLineAsync($"waiting:   {job.WaitReason}");
            }
            if (job.Group is not null)
            {
                await o.WriteLineAsync($"group:     {job.Group}");
            }
            await o.WriteLineAsync($"node:      {job.Node ?? "-"}");
            if (job.GpuIds.Count > 0)
            {
                await o.WriteLineAsync($"gpus:      {string.Join(',', job.GpuIds)}");
            }
            await o.WriteLineAsync($"attempt:   {job.Attempt}");
            await o.WriteLineAsync($"priority:  {job.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            if (job.Retries > 0)
            {
                await o.WriteLineAsync($"retries:   {job.Retried} of {job.Retries} used{(job.FailedOn.Count > 0 ? $" (failed on {string.Join(", ", job.FailedOn)})" : "")}");
            }
            await o.WriteLineAsync($"image:     {job.Image ?? "(the cluster's default)"}");
            await o.WriteLineAsync($"command:   {string.Join(' ', job.Command)}");
            await o.WriteLineAsync($"submitted: {Formats.Time(job.SubmittedAt)}");
            // Claimed: its node took it (image pull, container creation follow); started: it really runs.
            await o.WriteLineAsync($"claimed:   {Formats.Time(job.ClaimedAt)}");
            await o.WriteLineAsync($"started:   {Formats.Time(job.StartedAt)}");
            await o.WriteLineAsync($"duration:  {Formats.Duration(job.StartedAt, job.FinishedAt, context.Time.GetUtcNow())}");
            await o.WriteLineAsync($"trace id:  {job.TraceId ?? "-"}");
            await o.WriteLineAsync();
            var history = Tables.Create(context, "time", "state", "node", "reason");
            foreach (var h in job.History)
            {
                history.Row(Formats.Time(h.At), h.State.ToString().ToLowerInvariant(), h.Node ?? "", h.Reason ?? "");
            }
            CliConsole.Write(context, history);
            return 0;
        });
        return status;
    }

    private static async Task<int> GroupAsync(Api.AtlasApiClient client, string id, OutputFormat format, CliContext context, CancellationToken cancellationToken)
    {
        var group = await client.GetGroupAsync(id, cancellationToken);
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Out, group);
            return 0;
        }
        var o = context.Out;
        await o.WriteLineAsync($"group:       {group.Id}");
        await o.WriteLineAsync($"name:        {group.Name ?? "-"}");
        await o.WriteLineAsync($"user:        {group.Username ?? "-"}");
        await o.WriteLineAsync($"jobs:        {group.Total}");
        await o.WriteLineAsync($"max running: {(group.MaxRunning > 0 ? group.MaxRunning.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no limit")}");
        await o.WriteLineAsync($"submitted:   {Formats.Time(group.CreatedAt)}");
        await o.WriteLineAsync();
        var counts = Tables.Create(context, "state", "jobs");
        foreach (var (state, count) in group.Counts)
        {
            counts.Row(state, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        CliConsole.Write(context, counts);
        return 0;
    }
}
