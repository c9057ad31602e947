using System.Runtime.CompilerServices;
using Akka.Actor;
using Store.Core;
using Store.Core.Arrays;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// N-dimensional arrays by path through actors: many threads, actors and services may write at once.
/// Same formats, errors and semantics as <see cref="ArrayStore"/>.
/// </summary>
/// <example>
/// <code>
/// await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = "out/arrays", DiskFormat = DiskFormat.Zarr, Durability = Durability.Journal });
/// var range = await store.AppendAsync("run0/coordinates", frame);   // rows [range.Start, range.End)
/// await store.FlushAsync();
/// </code>
/// </example>
public sealed class ArrayActorStore : ActorStore
{
    private readonly FramePool _frames;

    private ArrayActorStore((EntryOps? Ops, ActorSystem System, bool OwnsSystem) started, ActorStoreOptions options)
        : base(started.System, started.OwnsSystem, StoreKind.Array, started.Ops, options)
    {
        _frames = new FramePool(options.MaxBufferedBytes / 4);
    }

    /// <summary>Opens the store in an actor system of its own (stopped on dispose).</summary>
    /// <exception cref="StoreModeException">The root does not satisfy the mode.</exception>
    public static ArrayActorStore Open(ActorStoreOptions options) => new(Start(StoreKind.Array, null, options), options);

    /// <summary>Opens the store in <paramref name="system"/>, whose configuration must include <see cref="StoreActorConfig.For"/> of these options.</summary>
    /// <exception cref="StoreModeException">The root does not satisfy the mode.</exception>
    public static ArrayActorStore Open(ActorSystem system, ActorStoreOptions options) => new(Start(StoreKind.Array, system, options), options);

    /// <summary>Without a view, creates or replaces the entry; with one, writes into that region.</summary>
    /// <exception cref="StoreException">The write was refused (see <see cref="ArrayStore.Write(string, NdArray, ArrayView?)"/>); nothing changed.</exception>
    public Task WriteAsync(string path, NdArray data, ArrayView? view = null, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(new Write(path, data, view), cancellationToken);

    /// <summary>
    /// Appends along axis 0 and returns the rows the data was given. With a producer id and a
    /// per-producer growing sequence number, a retried append is answered with its original rows
    /// and not applied twice.
    /// </summary>
    /// <exception cref="ShapeException">Another dtype or <c>shape[1..]</c> than the entry's; nothing changed.</exception>
    public Task<IndexRange> AppendAsync(string path, NdArray data, string? producerId = null, long sequence = 0, CancellationToken cancellationToken = default) =>
        AppendCoreAsync(new Append(path, data, producerId, sequence), cancellationToken);

    /// <summary>
    /// Rents a zero-filled array of <paramref name="dtype"/> and <paramref name="shape"/> from the
    /// store's pool, waiting while the store holds <see cref="ActorStoreOptions.MaxBufferedBytes"/>
    /// (see <see cref="RentedArray"/>). Fill it, then append it with
    /// <see cref="AppendAsync(string, RentedArray, string?, long, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="ShapeException">A negative axis or more bytes than one in-memory array holds.</exception>
    public async Task<RentedArray> RentAsync(DType dtype, long[] shape, CancellationToken cancellationToken = default)
    {
        var bytes = NdArray.ByteLength(dtype, shape);
        await Budget.Reserve(bytes, cancellationToken).ConfigureAwait(false);
        var buffer = _frames.Rent(bytes);
        return new RentedArray(NdArray.FromBytes(dtype, shape, buffer), buffer, GiveBack);
    }

    /// <summary><see cref="RentAsync(DType, long[], CancellationToken)"/> for the dtype of <typeparamref name="T"/>.</summary>
    public Task<RentedArray> RentAsync<T>(params long[] shape) where T : unmanaged => RentAsync(DTypes.Of<T>(), shape);

    /// <summary>
    /// Appends a rented array (see <see cref="AppendAsync(string, NdArray, string?, long, CancellationToken)"/>),
    /// taking it over: its memory returns to the store's pool once the store answered.
    /// </summary>
    /// <exception cref="ShapeException">Another dtype or <c>shape[1..]</c> than the entry's; nothing changed.</exception>
    /// <exception cref="StoreException">The frame was appended or disposed already.</exception>
    public async Task<IndexRange> AppendAsync(string path, RentedArray frame, string? producerId = null, long sequence = 0, CancellationToken cancellationToken = default)
    {
        var data = frame.HandOff(path);
        var answered = false;
        try
        {
            var range = await AppendCoreAsync(new Append(path, data, producerId, sequence), cancellationToken, reserved: true).ConfigureAwait(false);
            answered = true;
            return range;
        }
        catch (Exception e) when (e is not StoreTimeoutException)
        {
            answered = true; // refused, or never sent
            throw;
        }
        finally
        {
            frame.Release(answered);
        }
    }

    /// <summary>An in-memory copy of the entry or of the view's part, or null when there is none.</summary>
    public async Task<NdArray?> ReadAsync(string path, ArrayView? view = null, CancellationToken cancellationToken = default) =>
        (NdArray?)await ReadCoreAsync(new Read(path, view), cancellationToken).ConfigureAwait(false);

    /// <summary>A live reference that reads only what is asked of it, or null when there is no entry.</summary>
    public async Task<ArrayReference?> GetAsync(string path, CancellationToken cancellationToken = default) =>
        (ArrayReference?)await ReadCoreAsync(new Get(path), cancellationToken).ConfigureAwait(false);

    // A rented frame's bytes leave the budget; its memory is reused unless the store may still read it.
    private void GiveBack(byte[]? buffer, long bytes)
    {
        if (buffer is not null)
        {
            _frames.Return(buffer);
        }

        Budget.Release(bytes);
    }

    /// <summary>The entry's shape, or null when there is no entry.</summary>
    public async Task<long[]?> ShapeAsync(string path, CancellationToken cancellationToken = default) =>
        (long[]?)await ReadCoreAsync(new Shape(path), cancellationToken).ConfigureAwait(false);

    /// <summary>The entry's dtype, or null when there is no entry.</summary>
    public async Task<DType?> DTypeAsync(string path, CancellationToken cancellationToken = default) =>
        (DType?)await ReadCoreAsync(new DTypeOf(path), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Streams the entry in blocks along axis 0, as <see cref="ArrayStore.Iter"/> does: the
    /// <paramref name="view"/> first, then the listed <paramref name="elements"/> of its axis 0 (all
    /// when null), <paramref name="chunkSize"/> rows per block (default: one chunk of a flushed Zarr
    /// array, else 1000). Nothing when there is no entry. One command fixes the blocks' rows, then
    /// each block is one read, sent when the caller asks for it, so the path's actor serves other
    /// callers between blocks. What it sees if the entry changes meanwhile: rows appended are not
    /// included (it covers the rows there were when it began); a write into rows not yet read is
    /// seen in their block; a replacement with fewer rows (or other trailing axes) fails the first
    /// block it no longer holds with a <see cref="StoreException"/> (one with at least as many rows
    /// is read as it now is; <see cref="ArrayStore.Iter"/>, in process, fails on any replacement);
    /// a never-flushed entry discarded meanwhile fails with an <see cref="EntryNotFoundException"/>.
    /// </summary>
    /// <exception cref="ShapeException">The view drops axis 0, an element is out of bounds, or the chunk size is below 1 (at the first block).</exception>
    public async IAsyncEnumerable<NdArray> IterAsync(
        string path,
        IReadOnlyList<long>? elements = null,
        ArrayView? view = null,
        int? chunkSize = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var views = (IEnumerable<ArrayView>?)await ReadCoreAsync(new IterViews(path, elements, view, chunkSize), cancellationToken).ConfigureAwait(false);
        foreach (var block in views ?? [])
        {
            NdArray? rows;
            try
            {
                rows = (NdArray?)await ReadCoreAsync(new Read(path, block), cancellationToken).ConfigureAwait(false);
            }
            catch (ShapeException e)
            {
                // The block's rows and columns were in bounds when the iteration began.
                throw Replaced(path, e.Message, e);
            }

            if (rows is null)
            {
                throw new EntryNotFoundException($"Entry '{path}' was removed while it was being iterated.", path);
            }

            // A slice past a shorter entry's end is cut short rather than refused.
            if (rows.Shape[0] != RowCount(block.Axes[0]))
            {
                throw Replaced(path, $"block [{block}] read {rows.Shape[0]} rows", null);
            }

            yield return rows;
        }
    }

    // The rows an IterViews block selects on axis 0: a slice start:stop or a list.
    private static long RowCount(AxisSelector rows) => rows switch
    {
        AxisSelector.Slice { Start: { } start, Stop: { } stop } => stop - start,
        AxisSelector.IndexList list => list.Values.Length,
        _ => throw new StoreException($"Unexpected iteration block {rows}."),
    };

    private static StoreException Replaced(string path, string detail, Exception? cause) =>
        new($"Entry '{path}' was replaced while it was being iterated ({detail}); iterate it again.", path, cause);
}
