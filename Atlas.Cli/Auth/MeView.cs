namespace Atlas.Cli.Auth;

/// <summary>The gateway's <c>GET /api/v1/me</c>: who the cluster thinks the caller is.</summary>
public sealed record MeView
{
    public string? Sub { get; init; }

    public string? Username { get; init; }

    public IReadOnlyList<string> Roles { get; init; } = [];

    public bool Admin { get; init; }

    public string? Mode { get; init; }
}
