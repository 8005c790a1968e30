using System.Net;
using System.Net.Sockets;

namespace Atlas.AppHost.Orchestration;

/// <summary>Ports on loopback: whether one is free, and a free one.</summary>
public static class PortCheck
{
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static readonly HashSet<int> Given = [];

    /// <summary>A free port, never one handed out before in this run (the OS may give the same one twice in a row).</summary>
    public static int Next()
    {
        lock (Given)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
