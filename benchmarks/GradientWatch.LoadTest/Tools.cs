using System.Net;
using System.Net.Sockets;

namespace GradientWatch.LoadTest;

/// <summary>Programs on PATH and free ports.</summary>
internal static class Tools
{
    public static string Require(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"'{name}' is not on PATH. Install it with: bash scripts/ensure-prometheus.sh && bash scripts/ensure-victoria-metrics.sh");
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
