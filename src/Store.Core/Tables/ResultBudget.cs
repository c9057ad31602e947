using Apache.Arrow;

namespace Store.Core.Tables;

/// <summary>
/// What one read or query of <paramref name="path"/> may return, in bytes of Arrow buffers: each
/// piece is counted as it is added, and the first that passes <paramref name="limit"/> ends the
/// read with <see cref="ResultTooLargeException"/> (so the memory a refused read took is the limit
/// plus one piece).
/// </summary>
internal sealed class ResultBudget(string path, long limit)
{
    private long _used;

    /// <summary>No limit (a store whose <c>MaxResultBytes</c> is <see cref="long.MaxValue"/>).</summary>
    public bool Unlimited => limit == long.MaxValue;

    /// <summary>Counts <paramref name="table"/>'s rows against the limit.</summary>
    /// <exception cref="ResultTooLargeException">The result so far passes the limit.</exception>
    public void Add(Table table)
    {
        foreach (var batch in table.Batches)
        {
            Add(batch);
        }
    }

    /// <summary>Counts <paramref name="batch"/> against the limit.</summary>
    /// <exception cref="ResultTooLargeException">The result so far passes the limit.</exception>
    public void Add(RecordBatch batch)
    {
        if (Unlimited)
        {
            return;
        }

        for (var c = 0; c < batch.ColumnCount; c++)
        {
            _used += ArrowColumns.BytesOf(batch.Column(c));
        }

        if (_used > limit)
        {
            throw new ResultTooLargeException(
                $"Reading '{path}' would return more than MaxResultBytes = {limit:N0} bytes (at least {_used:N0} so far); " +
                "narrow the query (keys, a filter) or read fewer rows or columns at a time (a TableView), or raise MaxResultBytes.",
                path);
        }
    }
}
