using System.CommandLine;
using Atlas.Cli.Api;
using Atlas.Cli.Auth;
using Atlas.Cli.Config;
using Atlas.Cli.Output;

namespace Atlas.Cli.Commands;

/// <summary>Options every verb takes: <c>--output</c> and <c>--context</c>.</summary>
public sealed class GlobalOptions
{
    public Option<OutputFormat> Output { get; } = new("--output", "-o")
    {
        Description = "table (default) or json: plain JSON on stdout, for scripts",
        Recursive = true,
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public Option<string?> Context { get; } = new("--context")
    {
        Description = "the cluster to use, from ~/.atlas/config.yaml (default: ATLAS_URL, else the current context)",
        Recursive = true,
    };

    /// <summary>A client for the gateway this invocation talks to, sending the session's bearer token when there is one.</summary>
    public AtlasApiClient Client(ParseResult parse, CliContext context) => Client(Target(parse, context), context);

    /// <summary>A client for <paramref name="target"/>, sending its session's bearer token when there is one.</summary>
    public static AtlasApiClient Client(GatewayTarget target, CliContext context) =>
        new(target.Url, new BearerTokenHandler(new SessionKeeper(context, target), context.Handler), disposeHandler: true, context.Time);

    /// <summary>The gateway this invocation talks to, and its context.</summary>
    public GatewayTarget Target(ParseResult parse, CliContext context) => GatewayResolver.ResolveTarget(context, parse.GetValue(Context));
}
