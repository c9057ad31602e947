namespace Store.Core;

/// <summary>
/// The name a user most likely meant when they wrote one that does not exist (a column: "potentail"
/// for "potential", "Frame" for "frame"; a setting: "ArrayFromat"), for error messages: the candidate
/// at the smallest edit distance (Levenshtein). <see cref="Find"/> offers one only when that distance
/// is small for the name's length, so an unrelated name never gets a misleading suggestion;
/// <see cref="Closest"/> always names one, for lists of valid names a message shows anyway.
/// </summary>
public static class NearestName
{
    /// <summary>
    /// The closest of <paramref name="candidates"/> (the first in order on a tie), or null when none
    /// is within <see cref="Tolerance"/> edits of <paramref name="name"/>.
    /// </summary>
    public static string? Find(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var tolerance = Tolerance(name);
        foreach (var candidate in candidates)
        {
            var distance = string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(name, candidate, tolerance);
            if (distance <= tolerance && distance < bestDistance && candidate != name)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>The candidate nearest to <paramref name="name"/>, ignoring case, however far (empty when there is none).</summary>
    public static string Closest(string name, IEnumerable<string> candidates) =>
        candidates.MinBy(c => Distance(name.ToUpperInvariant(), c.ToUpperInvariant(), int.MaxValue - 1)) ?? "";

    /// <summary><c>" (did you mean 'x'?)"</c> for the nearest candidate, or an empty string.</summary>
    public static string Hint(string name, IEnumerable<string> candidates) =>
        Find(name, candidates) is { } nearest ? $" (did you mean '{nearest}'?)" : "";

    /// <summary>
    /// Edits allowed: up to 2, and never as many as the name has characters (so "x" is not taken
    /// for "t"); longer names allow a third of their length.
    /// </summary>
    public static int Tolerance(string name) => Math.Max(Math.Min(2, name.Length - 1), name.Length / 3);

    // Levenshtein distance with two rows; stops early (returning more than the limit) once no
    // alignment can come within it, so a long name against many columns stays cheap.
    private static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit)
        {
            return limit + 1;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMinimum = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
                rowMinimum = Math.Min(rowMinimum, current[j]);
            }

            if (rowMinimum > limit)
            {
                return limit + 1;
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
