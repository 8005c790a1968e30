using System.Net;
using System.Net.Sockets;

namespace Atlas.Testing;

/// <summary>Finds a TCP port on loopback that nothing listens on right now.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];

    /// <summary>A free port, never one this process was given before (the OS may hand the same one out twice in a row).</summary>
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
