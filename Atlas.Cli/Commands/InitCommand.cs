using System.CommandLine;
using System.Text.RegularExpressions;
using Atlas.Core.Tracking;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas init &lt;name&gt;</c>: a starter project — <c>main.py</c> reporting a param and a metric
/// through <c>atlas_job.py</c>, an <c>.atlasignore</c>, and a README that says how to submit it.
/// </summary>
internal static partial class InitCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var name = new Argument<string>("name") { Description = "the project's folder (created; it must not exist or be empty)" };
        var init = new Command("init", "Make a starter project that reports metrics to Atlas.") { name };
        CommandAction.Set(init, context, async (parse, cancellationToken) =>
        {
            var given = parse.GetValue(name)!;
            var folder = Path.GetFullPath(given);
            var label = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
            if (!ProjectName().IsMatch(label))
            {
                throw new CliException($"name: '{label}' is not a project name (letters, digits, '.', '_' and '-', starting with a letter or digit)", 2);
            }
            if (File.Exists(folder) || (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any()))
            {
                throw new CliException($"name: '{given}' already exists and is not an empty folder", 2);
            }
            Directory.CreateDirectory(folder);
            await File.WriteAllBytesAsync(Path.Combine(folder, JobHelper.PythonFileName), JobHelper.Python, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(folder, "main.py"), MainPy, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(folder, ".atlasignore"), AtlasIgnore, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(folder, "README.md"), Readme(label), cancellationToken);
            string[] files = ["main.py", JobHelper.PythonFileName, ".atlasignore", "README.md"];
            if (parse.GetValue(globals.Output) == Output.OutputFormat.Json)
            {
                Output.JsonOutput.Write(context.Out, new { folder, files });
                return 0;
            }
            await context.Out.WriteLineAsync($"created {folder}: {string.Join(", ", files)}");
            await context.Out.WriteLineAsync($"next: cd {given} && atlas submit --param lr=0.01 . -- python main.py");
            return 0;
        });
        return init;
    }

    private const string MainPy = """
        # A starter Atlas job: it reads its learning rate, "trains", and reports as it goes.
        # Atlas runs it with the project folder as its working directory; atlas_job.py writes
        # each report to ATLAS_METRICS_FILE (or prints it, outside Atlas).
        import os
        import time

        import atlas_job

        lr = float(os.environ.get("ATLAS_PARAM_LR", "0.01"))
        atlas_job.log_param("lr", lr)
        atlas_job.set_tag("stage", "starter")

        loss = 1.0
        for step in range(20):
            loss *= 1.0 - lr * 5
            atlas_job.log_metric("loss", loss, step=step)
            time.sleep(0.1)

        with open(os.path.join(atlas_job.output_dir(), "model.txt"), "w") as f:
            f.write("final loss %f\n" % loss)
        atlas_job.save_artifact("model.txt")
        print("done: loss", loss)

        """;

    private const string AtlasIgnore = """
        # Left out of what `atlas submit` uploads (gitignore syntax).
        __pycache__/
        *.pyc
        .venv/
        outputs/
        data/

        """;

    private static string Readme(string label) => $$"""
        # {{label}}

        An Atlas project. `main.py` reports a param (`lr`), a tag and a metric (`loss`) through
        `atlas_job.py`, a one-file helper with no dependencies, and saves `model.txt` as an artifact.

        Run it on the cluster and watch it:

            atlas submit --param lr=0.01 . -- python main.py
            atlas metrics --follow <id>
            atlas artifacts get <id>

        Try another learning rate and compare the two runs:

            atlas submit --param lr=0.05 . -- python main.py
            atlas compare <id> <other id>

        Locally (`python main.py`) the helper prints each report after `@@atlas ` instead.
        `.atlasignore` lists what is not uploaded.

        """;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex ProjectName();
}
