namespace Store.Core.Formats.Parquet;

/// <summary>
/// A read-only file stream whose asynchronous reads run synchronously on the caller's thread.
/// Parquet.Net only offers async reads, and the store calls it from synchronous code: on a plain
/// <see cref="FileStream"/> each of those reads is queued to the thread pool and waited for, which
/// costs a thread hop per footer and page (a query over many small parts spent a sixth of its time
/// there). Reads of a local file are short, so doing them in place is the cheaper wait.
/// </summary>
internal sealed class SyncReadFileStream(string file) : FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read)
{
    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : ValueTask.FromResult(Read(buffer.Span));

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}
