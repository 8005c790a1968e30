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

    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
