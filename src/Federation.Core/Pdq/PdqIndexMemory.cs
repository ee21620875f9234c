using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Federation.Core.Pdq;

/// <summary>
/// Large pinned arrays for <see cref="PdqIndexSegment{TId}"/>, advised to use transparent huge pages on
/// Linux: a query touches thousands of random lines across ~100 MiB, and with 4 KiB pages nearly every
/// one is also a TLB miss.
/// </summary>
internal static partial class PdqIndexMemory
{
    private const int MadvHugePage = 14;
    private const nuint HugePageSize = 2 << 20;

    private static readonly bool Enabled =
        OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("FEDERATION_PDQ_HUGEPAGES") != "0";

    /// <summary>An uninitialized pinned array, advised before its pages are first touched.</summary>
    public static unsafe T[] AllocatePinned<T>(int length)
        where T : unmanaged
    {
        var array = GC.AllocateUninitializedArray<T>(length, pinned: true);
        var bytes = (nuint)length * (nuint)sizeof(T);
        if (Enabled && bytes >= HugePageSize * 2)
        {
            var start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            var alignedStart = (start + 4095) & ~(nuint)4095;
            var alignedEnd = (start + bytes) & ~(nuint)4095;
            try
            {
                _ = Madvise(alignedStart, alignedEnd - alignedStart, MadvHugePage); // advisory: failure is harmless
            }
            catch (DllNotFoundException)
            {
            }
            catch (EntryPointNotFoundException)
            {
            }
        }

        return array;
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nuint address, nuint length, int advice);
}
