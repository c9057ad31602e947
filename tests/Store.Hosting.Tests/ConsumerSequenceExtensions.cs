/// <summary>
/// A consumer's own helpers in the global namespace, as a script or a small program keeps them. With
/// LanguageExt's global <c>ListExtensions</c> visible (it came with the store's journal), calls to these
/// were ambiguous and the consumer did not compile.
/// </summary>
internal static class ConsumerSequenceExtensions
{
    /// <summary>How many elements <see cref="Iter{T}"/> visited.</summary>
    public static int Calls;

    /// <summary>Calls <paramref name="action"/> on each element.</summary>
    public static void Iter<T>(this IEnumerable<T> source, Action<T> action)
    {
        foreach (var item in source)
        {
            Calls++;
            action(item);
        }
    }

    /// <summary>Maps each element.</summary>
    public static IEnumerable<TResult> Map<T, TResult>(this IEnumerable<T> source, Func<T, TResult> map) => source.Select(map);
}
