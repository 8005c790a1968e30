namespace Atlas.Cli.Auth;

/// <summary>A token endpoint's answer: tokens on success (RFC 6749 §5.1), an error code otherwise (§5.2).</summary>
public sealed record TokenResponse
{
    public string? AccessToken { get; init; }

    public string? RefreshToken { get; init; }

    public int? ExpiresIn { get; init; }

    public string? Error { get; init; }

    public string? ErrorDescription { get; init; }
}
