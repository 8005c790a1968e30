using System.Runtime.InteropServices;

namespace Atlas.Bench;

/// <summary>Sends SIGINT, as Ctrl+C would, so the AppHost stops its cluster cleanly.</summary>
internal static partial class Interop
{
    private const int SigInt = 2;

    public static void Interrupt(int pid) => _ = Kill(pid, SigInt);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
