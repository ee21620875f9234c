using System.Runtime.InteropServices;

namespace Federation.Core.Pdq;

/// <summary>
/// Lowers the calling thread's scheduling priority (Linux nice value), so that background merges give way
/// to look-ups when the cores are contended. Only for a dedicated thread: an unprivileged thread cannot
/// raise its priority back.
/// </summary>
internal static partial class PdqMergeThreadPriority
{
    private const int PrioProcess = 0;

    /// <summary>
    /// Nice value of merge threads from <c>FEDERATION_PDQ_MERGE_NICE</c> (0-19); 0, the default, leaves them alone.
    /// Measured at 10M: nice 10 cut the p99 of queries overlapping a merge 8x on a lightly loaded machine, but at
    /// load 10 on 2 cores it starved the merges (an 18.7 s fold, 238k unmerged adds) — and an unprivileged
    /// thread cannot take the priority back — so it is opt-in.
    /// </summary>
    public static int Nice { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("FEDERATION_PDQ_MERGE_NICE"), out var nice) ? Math.Clamp(nice, 0, 19) : 0;

    public static void LowerCurrentThread()
    {
        if (Nice == 0 || !OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = SetPriority(PrioProcess, GetTid(), Nice); // advisory: failure leaves the normal priority
        }
        catch (DllNotFoundException)
        {
        }
        catch (EntryPointNotFoundException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);
}
