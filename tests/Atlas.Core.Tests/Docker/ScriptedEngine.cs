using System.Net;
using System.Text;
using Atlas.Core.Net;

namespace Atlas.Core.Tests.Docker;

/// <summary>
/// A stand-in engine on loopback HTTP for answers the real engine cannot be made to give here
/// (a pull that fails halfway through its progress stream needs a registry). Answers
/// <c>/version</c> itself and every other request as the given function says.
/// </summary>
internal sealed class ScriptedEngine : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public ScriptedEngine(Func<HttpListenerRequest, (int Status, string Body)> answer)
    {
        Port = LoopbackPorts.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                var (status, body) = context.Request.Url!.AbsolutePath == "/version"
                    ? (200, """{"ApiVersion":"1.43","MinAPIVersion":"1.12"}""")
                    : answer(context.Request);
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
    }

    public int Port { get; }

    public string Address => $"tcp://127.0.0.1:{Port}";

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
