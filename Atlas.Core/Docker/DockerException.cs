using System.Net;

namespace Atlas.Core.Docker;

/// <summary>
/// The Docker Engine refused a request or could not be reached. <see cref="Exception.Message"/>
/// is the engine's own message (e.g. <c>No such image: x</c>), fit to show to a user.
/// </summary>
public sealed class DockerException : Exception
{
    public DockerException(HttpStatusCode? statusCode, string message) : base(message)
    {
        StatusCode = statusCode;
    }

    public DockerException(HttpStatusCode? statusCode, string message, Exception innerException) : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    public DockerException() { }

    public DockerException(string message) : base(message) { }

    public DockerException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>
    /// The HTTP status of the engine's answer; null when the engine was not reached, or when it
    /// reported the error inside a stream it had already begun with 200 (a failed pull).
    /// </summary>
    public HttpStatusCode? StatusCode { get; }
}
