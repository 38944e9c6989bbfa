using System.Net;
using System.Net.Sockets;

namespace SnapshotService.Testing;

/// <summary>Finds free TCP ports on 127.0.0.1 (tests never bind other addresses).</summary>
/// <remarks>
/// Not port 0: the kernel hands out ephemeral ports, may give the same one again right after it
/// was released (two settings once got the same port), and uses that range for outgoing
/// connections too, which can take a port between the probe and the server binding it. So ports
/// come from below the ephemeral range (20000–31999), from a slice chosen by the process id so
/// that test assemblies running side by side rarely meet, never twice in one process.
/// </remarks>
public static class FreePort
{
    private const int First = 20_000;
    private const int SliceSize = 2_000;
    private const int Slices = 6;
    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        var sliceStart = First + (Environment.ProcessId % Slices * SliceSize);
        lock (Gate)
        {
            for (var attempt = 0; attempt < SliceSize * 4; attempt++)
            {
                // Mostly this process's slice; after many tries anywhere in the range.
                var port = attempt < SliceSize
                    ? sliceStart + Random.Shared.Next(SliceSize)
                    : First + Random.Shared.Next(SliceSize * Slices);
                if (!HandedOut.Contains(port) && CanBind(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }
        throw new InvalidOperationException($"No free TCP port on 127.0.0.1 between {First} and {First + (SliceSize * Slices) - 1}.");
    }

    private static bool CanBind(int port)
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
}
