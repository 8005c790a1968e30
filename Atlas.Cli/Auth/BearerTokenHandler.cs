using System.Net;
using System.Net.Http.Headers;

namespace Atlas.Cli.Auth;

/// <summary>
/// The one place every gateway call gets its bearer token (renewed first when due), and the one
/// place a 401 becomes one line telling the user to log in.
/// </summary>
public sealed class BearerTokenHandler : DelegatingHandler
{
    private readonly SessionKeeper _sessions;
    private readonly bool _ownsInner;

    /// <param name="sessions">The session of the gateway this handler's client talks to.</param>
    /// <param name="inner">The handler to send through; null for a new one, owned and disposed with this.</param>
    public BearerTokenHandler(SessionKeeper sessions, HttpMessageHandler? inner)
        : base(inner ?? new SocketsHttpHandler())
    {
        _sessions = sessions;
        _ownsInner = inner is null;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await _sessions.AccessTokenAsync(cancellationToken);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }
        response.Dispose();
        var target = _sessions.Target;
        throw token is null
            ? new CliException($"the cluster at {target.Url} wants you to log in: run 'atlas login'")
            : new CliException($"the cluster at {target.Url} refused your session for {target.Label}: run 'atlas login' again");
    }

    protected override void Dispose(bool disposing)
    {
        // A handler given by the caller (tests) is the caller's to dispose.
        if (_ownsInner)
        {
            base.Dispose(disposing);
        }
    }
}
