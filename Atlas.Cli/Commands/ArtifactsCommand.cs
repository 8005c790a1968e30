using System.CommandLine;
using System.Globalization;
using Atlas.Cli.Output;
using Atlas.Core.Tracking;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas artifacts ls &lt;id&gt;</c> and <c>atlas artifacts get &lt;id&gt; [path] [--to DIR]</c>: what a job saved under ATLAS_OUTPUT_DIR.</summary>
internal static class ArtifactsCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var artifacts = new Command("artifacts", "List or download the files a job saved under ATLAS_OUTPUT_DIR.");

        var lsId = CommandAction.JobId();
        var ls = new Command("ls", "List a job's artifacts.") { lsId };
        CommandAction.Set(ls, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            var list = await client.ListArtifactsAsync(parse.GetValue(lsId)!, cancellationToken);
            if (parse.GetValue(globals.Output) == OutputFormat.Json)
            {
                JsonOutput.Write(context.Out, list);
                return 0;
            }
            var table = Tables.Create(context, "path", "size", "modified");
            foreach (var a in list)
            {
                table.Row(a.Path, a.Size.ToString(CultureInfo.InvariantCulture), Formats.Time(a.Modified));
            }
            CliConsole.Write(context, table);
            return 0;
        });

        var getId = CommandAction.JobId();
        var path = new Argument<string?>("path") { Description = "one artifact (default: all of them)", Arity = ArgumentArity.ZeroOrOne };
        // -o is --output everywhere, so the folder is --to.
        var to = new Option<string?>("--to", "-d") { Description = "the folder to save into (default: the current one)" };
        var get = new Command("get", "Download a job's artifacts, keeping their paths.") { getId, path, to };
        CommandAction.Set(get, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            var id = parse.GetValue(getId)!;
            var folder = Path.GetFullPath(parse.GetValue(to) ?? ".");
            var wanted = parse.GetValue(path);
            IReadOnlyList<string> paths = wanted is not null ? [wanted] : [.. (await client.ListArtifactsAsync(id, cancellationToken)).Select(a => a.Path)];
            var saved = new List<ArtifactView>();
            foreach (var relative in paths)
            {
                var target = Path.GetFullPath(Path.Combine(folder, relative));
                if (!target.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new CliException($"path: '{relative}' would be saved outside {folder}", 2);
                }
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var partial = target + ".part";
                await using (var file = File.Create(partial))
                {
                    await client.DownloadArtifactAsync(id, relative, file, cancellationToken);
                }
                File.Move(partial, target, overwrite: true);
                var info = new FileInfo(target);
                saved.Add(new ArtifactView(target, info.Length, info.LastWriteTimeUtc));
                if (parse.GetValue(globals.Output) != OutputFormat.Json)
                {
                    await context.Out.WriteLineAsync(target);
                }
            }
            if (parse.GetValue(globals.Output) == OutputFormat.Json)
            {
                JsonOutput.Write(context.Out, saved);
            }
            return 0;
        });

        artifacts.Subcommands.Add(ls);
        artifacts.Subcommands.Add(get);
        return artifacts;
    }
}
