using System.Buffers;
using Apache.Arrow.Memory;

namespace Store.Core.Tables;

/// <summary>
/// Where the store's Arrow builders put the buffers they build: plain managed arrays. Arrow's
/// default allocator takes native memory, frees it from a finalizer and adds GC memory pressure per
/// buffer, so building the thousands of small columns of a query scan set off a full collection
/// every few row groups. The rest of the store's columns already wrap managed arrays.
/// </summary>
internal sealed class ManagedArrowMemory : MemoryAllocator
{
    /// <summary>The one instance (it holds no state).</summary>
    public static readonly ManagedArrowMemory Instance = new();

    private ManagedArrowMemory()
    {
    }

    /// <inheritdoc />
    protected override IMemoryOwner<byte> AllocateInternal(int length, out int bytesAllocated)
    {
        bytesAllocated = length;
        return new Owner(new byte[length]);
    }

    // The garbage collector frees the array; nothing to give back.
    private sealed class Owner(byte[] array) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory => array;

        public void Dispose()
        {
        }
    }
}
