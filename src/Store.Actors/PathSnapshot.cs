using Store.Core;

namespace Store.Actors;

/// <summary>A path's state a flush leaves outside the files: the producer log (so retries after a restart are still recognised).</summary>
/// <param name="Producers">Each remembered append: producer, sequence number, range.</param>
internal sealed record PathSnapshot(IReadOnlyList<(string ProducerId, long Sequence, IndexRange Range)> Producers);
