using Xunit.Abstractions;
using Xunit.Sdk;

namespace Store.Interop.Tests.Corpus;

/// <summary>Discovers <see cref="CorpusTheoryAttribute"/> rows, skipping those of pending cases.</summary>
public sealed class CorpusTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    /// <inheritdoc />
    protected override IEnumerable<IXunitTestCase> CreateTestCasesForDataRow(
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute, object[] dataRow)
    {
        var skip = dataRow is [string id, ..] ? CorpusTests.SkipReason(CorpusCase.Get(id)) : null;
        return skip is null
            ? base.CreateTestCasesForDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow)
            : CreateTestCasesForSkippedDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow, skip);
    }
}
