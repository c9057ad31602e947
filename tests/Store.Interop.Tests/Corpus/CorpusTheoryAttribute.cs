using Xunit.Abstractions;
using Xunit.Sdk;

namespace Store.Interop.Tests.Corpus;

/// <summary>
/// A theory over corpus case ids whose rows are skipped, each with a message naming the pending
/// work, when the case needs work listed in <see cref="CorpusTests.Pending"/> (xunit 2 has no
/// per-row skip of its own).
/// </summary>
[XunitTestCaseDiscoverer("Store.Interop.Tests.Corpus.CorpusTheoryDiscoverer", "Store.Interop.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class CorpusTheoryAttribute : TheoryAttribute
{
}
