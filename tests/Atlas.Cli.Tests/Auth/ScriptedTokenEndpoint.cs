using System.Net;
using System.Text;

namespace Atlas.Cli.Tests.Auth;

/// <summary>
/// A hand-written stand-in for an identity provider at the HTTP seam, for what the real one
/// (oidc-provider) never says: it answers the device authorization request, then each token
/// poll with the next scripted answer (<c>slow_down</c>, <c>authorization_pending</c>, …).
/// </summary>
internal sealed class ScriptedTokenEndpoint(params string[] tokenAnswers) : HttpMessageHandler
{
    public const string DeviceEndpoint = "http://idp.invalid/device";
    public const string TokenEndpoint = "http://idp.invalid/token";
    private int _next;

    public List<string> TokenRequests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri!.ToString() == DeviceEndpoint)
        {
            return Json(HttpStatusCode.OK, """{"device_code":"dc","user_code":"ABCD-EFGH","verification_uri":"http://idp.invalid/activate","expires_in":600,"interval":1}""");
        }
        TokenRequests.Add(await request.Content!.ReadAsStringAsync(cancellationToken));
        var answer = tokenAnswers[Math.Min(_next++, tokenAnswers.Length - 1)];
        return answer.Contains("access_token", StringComparison.Ordinal)
            ? Json(HttpStatusCode.OK, answer)
            : Json(HttpStatusCode.BadRequest, $$"""{"error":"{{answer}}"}""");
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
