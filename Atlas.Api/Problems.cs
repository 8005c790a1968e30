using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Microsoft.Extensions.Hosting;

/// <summary>The ProblemDetails responses the services share, so the same failure reads the same everywhere.</summary>
public static class Problems
{
    /// <summary>404: no such job (also for ids that could not be one, and for jobs the caller may not see).</summary>
    public static ProblemHttpResult JobNotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Job not found.", detail: $"There is no job '{Shorten(id)}'.");

    /// <summary>409: the request does not fit the job's state.</summary>
    public static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);

    /// <summary>400 naming the query or body field at fault.</summary>
    public static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.", detail: $"{field}: {message}",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    private static string Shorten(string id)
    {
        var printable = new string([.. id.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return id.Length > 64 ? printable + "…" : printable;
    }
}
