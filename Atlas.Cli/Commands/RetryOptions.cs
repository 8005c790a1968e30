using System.CommandLine;
using System.Globalization;
using Atlas.Core.Jobs;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas submit --retries N --retry-on 137,143</c>: which failures get a new attempt.</summary>
internal sealed class RetryOptions
{
    private readonly Option<int> _retries = new("--retries") { Description = "how many times a failure is retried as a new attempt (default 0)" };
    private readonly Option<string?> _retryOn = new("--retry-on") { Description = "exit codes that are retried, e.g. 137,143 (default: any non-zero; a time limit or out-of-memory end only when its code is listed)" };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_retries);
        command.Options.Add(_retryOn);
    }

    /// <summary><paramref name="spec"/> with the parsed retry policy; a bad value is a usage error naming the flag.</summary>
    public JobSpec Apply(ParseResult parse, JobSpec spec)
    {
        var retries = parse.GetValue(_retries);
        if (retries < 0)
        {
            throw new CliException($"--retries: {retries} is below 0", 2);
        }
        var text = parse.GetValue(_retryOn);
        if (text is null)
        {
            return spec with { Retries = retries };
        }
        var codes = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 1 or > 255)
            {
                throw new CliException($"--retry-on: '{part}' is not an exit code from 1 to 255 (a comma list, e.g. 137,143)", 2);
            }
            codes.Add(code);
        }
        if (retries == 0)
        {
            throw new CliException("--retry-on: give --retries N too (how many times to retry)", 2);
        }
        return spec with { Retries = retries, RetryOn = codes };
    }
}
