namespace Atlas.Core.Jobs;

/// <summary>
/// Who submitted a job: the token's <c>sub</c> (what access is checked against) and a name to
/// show. Taken from the caller's token at submit, never from the request body.
/// </summary>
/// <param name="Subject">The identity provider's stable id of the user (<c>sub</c>).</param>
/// <param name="Username">A readable name: <c>preferred_username</c>, else <c>name</c>, else <c>sub</c>.</param>
public sealed record JobOwner(string Subject, string Username)
{
    /// <summary>The one user of a cluster without authentication (single-user mode).</summary>
    public static JobOwner Local { get; } = new("local", "local");
}
