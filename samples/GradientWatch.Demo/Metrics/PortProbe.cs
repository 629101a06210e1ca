using System.Net;
using System.Net.Sockets;

namespace GradientWatch.Demo.Metrics;

/// <summary>Checks whether a TCP port on 127.0.0.1 can be listened on.</summary>
internal static class PortProbe
{
    /// <summary>True when nothing listens on <paramref name="port"/> at 127.0.0.1.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A port the operating system reports free right now.</summary>
    public static int AnyFree()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
