namespace Store.Interop.Tests.Corpus;

/// <summary>How one corpus file ended: read equal, refused clearly, or wrong (with what was wrong).</summary>
/// <param name="Kind">"read equal", "refused clearly" or "wrong".</param>
/// <param name="Detail">The refusal's message, or what differed.</param>
public sealed record CorpusOutcome(string Kind, string Detail)
{
    /// <summary>The store's values equal the reference reader's.</summary>
    public const string ReadEqual = "read equal";

    /// <summary>The store refused the file with a StoreException naming it.</summary>
    public const string RefusedClearly = "refused clearly";

    /// <summary>Anything else: different values, a refusal that does not name the file, a crash.</summary>
    public const string Wrong = "wrong";
}
