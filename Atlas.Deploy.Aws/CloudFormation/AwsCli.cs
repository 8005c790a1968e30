using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Atlas.Deploy.Aws.CloudFormation;

/// <summary>
/// Calls AWS through the <c>aws</c> command line, so the user's own credentials, profiles and
/// regions apply as they do for every other aws command. <see cref="EndpointUrl"/> (or
/// <c>AWS_ENDPOINT_URL</c>) sends every call elsewhere: a LocalStack, or a test's stand-in.
/// </summary>
/// <param name="Environment">The AWS variables the child gets (credentials, profile, region, config files).</param>
public sealed partial record AwsCli(IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The variables taken from the caller's environment, and nothing else of it that AWS reads.</summary>
    public static readonly string[] PassedVariables =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL", "AWS_EC2_METADATA_DISABLED", "AWS_CA_BUNDLE",
    ];

    /// <summary>The <c>aws</c> executable.</summary>
    public string Executable { get; init; } = "aws";

    public string? Region { get; init; }

    public string? EndpointUrl { get; init; }

    /// <summary>Builds one from the caller's environment (<paramref name="read"/>), keeping only <see cref="PassedVariables"/>.</summary>
    public static AwsCli FromEnvironment(Func<string, string?> read, string? region, string? endpointUrl)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in PassedVariables)
        {
            if (read(name) is { Length: > 0 } value)
            {
                env[name] = value;
            }
        }
        return new AwsCli(env)
        {
            Executable = read("ATLAS_AWS_CLI") is { Length: > 0 } exe ? exe : "aws",
            Region = region,
            EndpointUrl = endpointUrl ?? (env.TryGetValue("AWS_ENDPOINT_URL", out var url) ? url : null),
        };
    }

    /// <summary>Runs <c>aws ARGS --output json</c> and returns its JSON (null when it printed none).</summary>
    /// <exception cref="AwsCliException">AWS refused, or awscli could not run.</exception>
    public async Task<JsonNode?> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var name in PassedVariables)
        {
            start.Environment.Remove(name);
        }
        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }
        // No pager, no prompts: this is a program talking to a program.
        start.Environment["AWS_PAGER"] = "";
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var argument in GlobalArguments())
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            throw new AwsCliException($"could not run '{Executable}' (awscli): {ex.Message}; install it (apt-get install awscli, or pip install awscli)", ex);
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            var output = await stdout;
            var error = (await stderr).Trim();
            if (process.ExitCode != 0)
            {
                var match = ErrorLine().Match(error);
                throw match.Success
                    ? new AwsCliException(match.Groups["code"].Value, match.Groups["message"].Value.Trim())
                    : new AwsCliException(error.Length > 0 ? error : $"aws exited with code {process.ExitCode}");
            }
            // s3 commands print lines of text, not JSON, whatever --output says.
            return output.TrimStart() is ['{' or '[', ..] ? JsonNode.Parse(output) : null;
        }
    }

    private IEnumerable<string> GlobalArguments()
    {
        yield return "--output";
        yield return "json";
        if (Region is not null)
        {
            yield return "--region";
            yield return Region;
        }
        if (EndpointUrl is not null)
        {
            yield return "--endpoint-url";
            yield return EndpointUrl;
        }
    }

    [GeneratedRegex(@"An error occurred \((?<code>[^)]+)\)[^:]*:\s*(?<message>.*)", RegexOptions.Singleline)]
    private static partial Regex ErrorLine();
}
