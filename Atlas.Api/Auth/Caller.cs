using System.Security.Claims;
using Atlas.Core.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atlas.Api.Auth;

/// <summary>
/// Who is calling, as every access check sees it. A handler takes it as a parameter (bound by
/// <see cref="BindAsync"/>). In single-user mode everyone is <see cref="Local"/>, an admin.
/// </summary>
/// <param name="Subject">The token's <c>sub</c>: what job owners are compared with.</param>
/// <param name="Username"><c>preferred_username</c>, else <c>name</c>, else <c>sub</c>.</param>
/// <param name="Roles">The roles read from the configured role claim.</param>
/// <param name="IsAdmin">Holds the admin role: sees and acts on every job.</param>
/// <param name="SingleUser">Authentication is off.</param>
public sealed record Caller(string Subject, string Username, IReadOnlyList<string> Roles, bool IsAdmin, bool SingleUser)
{
    /// <summary>The claim type the roles are copied to from the configured claim path (so a token cannot send it directly under this name and be believed: it is cleared first).</summary>
    public const string RoleClaimType = "atlas:role";

    /// <summary>The one user of single-user mode.</summary>
    public static Caller Local { get; } = new(JobOwner.Local.Subject, JobOwner.Local.Username, [], IsAdmin: true, SingleUser: true);

    /// <summary>What a job submitted by this caller records as its owner.</summary>
    public JobOwner Owner => new(Subject, Username);

    /// <summary>Whether this caller may see and act on a job owned by <paramref name="owner"/>.</summary>
    public bool CanAccess(string? owner) => IsAdmin || (owner is not null && Subject.Length > 0 && string.Equals(owner, Subject, StringComparison.Ordinal));

    /// <summary>Minimal APIs' binding hook: the caller of the current request.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult<Caller?>(From(context));

    /// <summary>The caller of <paramref name="context"/>: <see cref="Local"/> in single-user mode, else read from the validated token.</summary>
    public static Caller From(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<AtlasAuthOptions>>().Value;
        return options.Enabled ? From(context.User, options) : Local;
    }

    /// <summary>The caller described by a validated token's claims.</summary>
    public static Caller From(ClaimsPrincipal user, AtlasAuthOptions options)
    {
        var subject = user.FindFirst("sub")?.Value ?? "";
        var username = NonEmpty(user.FindFirst("preferred_username")?.Value) ?? NonEmpty(user.FindFirst("name")?.Value) ?? subject;
        var roles = user.FindAll(RoleClaimType).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList();
        return new Caller(subject, username, roles, roles.Contains(options.AdminRole, StringComparer.Ordinal), SingleUser: false);
    }

    /// <summary>Whether the caller may use the API at all: an admin, or a holder of the user role (when one is required).</summary>
    public bool MayUseApi(AtlasAuthOptions options) =>
        SingleUser || IsAdmin || string.IsNullOrEmpty(options.UserRole) || Roles.Contains(options.UserRole, StringComparer.Ordinal);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
