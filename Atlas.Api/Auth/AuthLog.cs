using Microsoft.Extensions.Logging;

namespace Atlas.Api.Auth;

/// <summary>Why tokens were refused: in the service's log only, never in the answer to the caller.</summary>
internal static partial class AuthLog
{
    [LoggerMessage(9001, LogLevel.Information, "Refused a bearer token for {Path}: {Reason}")]
    public static partial void TokenRefused(ILogger logger, string path, string reason);
}
