using System.Runtime.InteropServices;

namespace Atlas.Core.Posix;

/// <summary>
/// Sends POSIX signals to one process by id (libc <c>kill</c>), which .NET does not expose:
/// <see cref="System.Diagnostics.Process.Kill()"/> only knows SIGKILL.
/// </summary>
public static class Signals
{
    private const int SigInt = 2;
    private const int SigKill = 9;
    private const int SigTerm = 15;

    /// <summary>Asks process <paramref name="pid"/> to end (SIGTERM). False when it is gone, not ours, or on Windows.</summary>
    public static bool Terminate(int pid) => Send(pid, SigTerm);

    /// <summary>Interrupts process <paramref name="pid"/> as Ctrl+C does (SIGINT). False when it is gone, not ours, or on Windows.</summary>
    public static bool Interrupt(int pid) => Send(pid, SigInt);

    /// <summary>Ends process <paramref name="pid"/> at once (SIGKILL). False when it is gone, not ours, or on Windows.</summary>
    public static bool Kill(int pid) => Send(pid, SigKill);

    private static bool Send(int pid, int signal)
    {
        // kill(0) and kill(-1) would signal our own process group or every process we may
        // signal; an id that is not a single positive pid is refused, never passed on.
        if (pid <= 0 || OperatingSystem.IsWindows())
        {
            return false;
        }
        return NativeKill(pid, signal) == 0;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int NativeKill(int pid, int signal);
}
