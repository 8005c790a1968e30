using System.Net;

namespace Atlas.Cli.Commands.Deploy;

/// <summary>
/// The default <c>--inbound-cidr</c>: the caller's own public address /32, as AWS sees it, from
/// AWS's own echo service (<c>ATLAS_CHECKIP_URL</c> overrides it). A local interface address is
/// no answer behind NAT, and 0.0.0.0/0 is never assumed: when the lookup fails, up stops and
/// asks for <c>--inbound-cidr</c>.
/// </summary>
internal static class InboundAddress
{
    public const string DefaultCheckUrl = "https://checkip.amazonaws.com/";

    public static async Task<string> LookUpAsync(CliContext context, CancellationToken cancellationToken)
    {
        var url = context.Environment("ATLAS_CHECKIP_URL") is { Length: > 0 } u ? u : DefaultCheckUrl;
        using var http = context.Handler is null ? new HttpClient() : new HttpClient(context.Handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromSeconds(10);
        string text;
        try
        {
            text = (await http.GetStringAsync(url, cancellationToken)).Trim();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"--inbound-cidr: not given, and your own address could not be found ({url}: {ex.Message}); pass --inbound-cidr A.B.C.D/32", 2);
        }
        return IPAddress.TryParse(text, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? $"{address}/32"
            : throw new CliException($"--inbound-cidr: not given, and {url} answered '{text}', not an IPv4 address; pass --inbound-cidr A.B.C.D/32", 2);
    }
}
