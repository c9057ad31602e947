using Store.Core;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// What a path actor does, kept outside the actor so that a restarted or passivated actor carries on
/// with the same producer log and buffer count (the data itself lives in the core store's entry).
/// Commands are validated by the core store before any change, so a refused one changes nothing.
/// Every command is answered, also when it fails in an unexpected way, so no caller waits for a
/// reply that will never come.
/// </summary>
internal sealed class PathWork(string path, EntryOps ops, BufferBudget budget)
{
    private readonly bool _memoryOnly = ops.Store.DiskFormat == DiskFormat.None;

    /// <summary>The entry path.</summary>
    public string Path { get; } = path;

    /// <summary>Recent appends per producer, for dropping retried duplicates.</summary>
    public ProducerLog Producers { get; } = new();

    /// <summary>Bytes accepted since the last successful flush.</summary>
    public long Unflushed { get; private set; }

    /// <summary>Applies the batch's commands in order and returns their replies; accepted changes add their events to <paramref name="journal"/> when given.</summary>
    public BatchReplies Apply(CommandBatch batch, List<object>? journal)
    {
        var replies = new object[batch.Commands.Count];
        for (var i = 0; i < replies.Length; i++)
        {
            replies[i] = Apply(batch.Commands[i], journal);
        }

        return new BatchReplies(replies);
    }

    /// <summary>Applies <paramref name="command"/> and returns its reply; an accepted change adds its event to <paramref name="journal"/> when given.</summary>
    public object Apply(PathCommand command, List<object>? journal)
    {
        switch (command)
        {
            case Append append:
                try
                {
                    if (append.ProducerId is { } producer && Producers.TryGetApplied(Path, producer, append.Sequence, out var earlier))
                    {
                        return new Appended(earlier, producer, append.Sequence);
                    }

                    var range = ops.Append(Path, append.Data);
                    Accepted(append.Data);
                    if (append.ProducerId is not null)
                    {
                        Producers.Record(append.ProducerId, append.Sequence, range);
                    }

                    journal?.Add(new EntryAppended(append.Data, range, append.ProducerId, append.Sequence));
                    return new Appended(range, append.ProducerId, append.Sequence);
                }
                catch (Exception e)
                {
                    return new AppendFailed(e, append.ProducerId, append.Sequence);
                }

            case Write write:
                try
                {
                    ops.Write(Path, write.Data, write.View);
                    Accepted(write.Data);
                    journal?.Add(new EntryWritten(write.Data, write.View));
                    return Written.Instance;
                }
                catch (Exception e)
                {
                    return new WriteFailed(e);
                }

            default:
                try
                {
                    return new ReadResult(command switch
                    {
                        Read read => ops.Read(Path, read.View),
                        Get => ops.Get(Path),
                        Shape => ops.Shape(Path),
                        Query query => ops.Query(query),
                        Compact => ops.Compact(Path),
                        DTypeOf => ops.DTypeOf(Path),
                        ReadColumn column => ops.ReadColumn(Path, column.Column),
                        IterViews iter => ops.IterViews(iter),
                        _ => throw new StoreException($"'{Path}': unknown command {command.GetType().Name}.", Path),
                    });
                }
                catch (Exception e)
                {
                    return new ReadFailed(e);
                }
        }
    }

    /// <summary>
    /// Applies a journaled event again on recovery. An append is applied only when the entry ends
    /// where the append began; one that begins earlier is already in the flushed files (the journal
    /// is trimmed after a flush, so a crash in between replays it) and is skipped.
    /// </summary>
    /// <exception cref="CorruptDataException">An append that begins past the end of the entry: events are missing.</exception>
    public void Replay(object journalEvent)
    {
        switch (journalEvent)
        {
            case EntryAppended appended:
                var length = ops.Length(Path);
                if (appended.Range.Start == length)
                {
                    ops.Append(Path, appended.Data);
                    Accepted(appended.Data);
                }
                else if (appended.Range.Start > length)
                {
                    throw new CorruptDataException(
                        $"'{Path}': the journal holds an append at {appended.Range.Start} but the entry ends at {length}; events are missing.", Path);
                }

                if (appended.ProducerId is not null)
                {
                    Producers.Record(appended.ProducerId, appended.Sequence, appended.Range);
                }

                break;
            case EntryWritten written:
                ops.Write(Path, written.Data, written.View);
                Accepted(written.Data);
                break;
        }
    }

    /// <summary>Writes the entry's changes to disk; on success the buffer count is released. Always answers: a flush report must name every path.</summary>
    public object Flush()
    {
        try
        {
            ops.Flush(Path);
            budget.AddBuffered(-Unflushed);
            Unflushed = 0;
            return new PathFlushed(Path);
        }
        catch (Exception e)
        {
            return new PathFlushFailed(Path, e);
        }
    }

    /// <summary>
    /// Cluster mode, when the path's entity starts or stops on this node: the entry is read from its
    /// files again and its buffer count cleared (what was unflushed is in the journal, which the next
    /// owner replays; the producer log comes back from the journal too).
    /// </summary>
    public void Reload()
    {
        ops.Reload(Path);
        budget.AddBuffered(-Unflushed);
        Unflushed = 0;
        Producers.Clear();
    }

    /// <summary>
    /// Drops every change not in the files (the entry, its buffered bytes and its producer log), so
    /// that what a failed journal write carried never reaches them; a replay of the journal then
    /// brings back exactly the changes that were journaled.
    /// </summary>
    public void Discard()
    {
        ops.Discard(Path);
        budget.AddBuffered(-Unflushed);
        Unflushed = 0;
        Producers.Clear();
    }

    /// <summary>The producer log as a snapshot.</summary>
    public PathSnapshot Snapshot() => new([.. Producers.Entries]);

    /// <summary>Restores the producer log from a snapshot.</summary>
    public void Restore(PathSnapshot snapshot)
    {
        foreach (var (producer, sequence, range) in snapshot.Producers)
        {
            Producers.Record(producer, sequence, range);
        }
    }

    /// <summary>Whether the store as a whole holds more unflushed bytes than its limit.</summary>
    public bool OverBudget => budget.Exceeded;

    // A memory-only store's entries are its data, not a buffer that a flush writes out and frees: they
    // are not counted against MaxBufferedBytes (which bounds what callers have in flight there), or
    // every append past the limit would start a flush that frees nothing and only resets the count.
    private void Accepted(object data)
    {
        if (_memoryOnly)
        {
            return;
        }

        var bytes = ActorStore.SizeOf(data);
        Unflushed += bytes;
        budget.AddBuffered(bytes);
    }

}
