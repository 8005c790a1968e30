namespace Atlas.Cli.Auth;

/// <summary>A confidential client's credentials (a CI bot), sent as HTTP Basic to the token endpoint.</summary>
public sealed record ClientSecret(string ClientId, string Secret)
{
    // Never print the secret, not even in a debugger's view of the record.
    public override string ToString() => $"ClientSecret {{ ClientId = {ClientId} }}";
}
