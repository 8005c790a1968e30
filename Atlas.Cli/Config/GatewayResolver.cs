namespace Atlas.Cli.Config;

/// <summary>Which gateway a command talks to: <c>ATLAS_URL</c>, else the chosen or current context, else the local default.</summary>
public static class GatewayResolver
{
    public const string DefaultUrl = "http://127.0.0.1:5558";

    public static Uri Resolve(CliContext context, string? contextName) => ResolveTarget(context, contextName).Url;

    /// <summary>The gateway and the context it came from (sessions are kept per context).</summary>
    public static GatewayTarget ResolveTarget(CliContext context, string? contextName)
    {
        var fromEnv = context.Environment("ATLAS_URL");
        if (!string.IsNullOrWhiteSpace(fromEnv) && contextName is null)
        {
            return new GatewayTarget(Parse(fromEnv, "ATLAS_URL"), null);
        }
        var config = CliConfig.Load(context.Home);
        var name = contextName ?? config.CurrentContext;
        if (name is null)
        {
            return new GatewayTarget(new Uri(DefaultUrl), null);
        }
        if (!config.Contexts.TryGetValue(name, out var entry) || string.IsNullOrWhiteSpace(entry.SchedulerUrl))
        {
            throw new CliException($"--context: no context named '{name}' in {CliConfig.PathFor(context.Home)} (see `atlas context ls`)", 2);
        }
        return new GatewayTarget(Parse(entry.SchedulerUrl, $"context '{name}'"), name);
    }

    public static Uri Parse(string url, string source) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new CliException($"{source}: '{url}' is not an http(s) URL", 2);
}
