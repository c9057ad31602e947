namespace Store.Core;

/// <summary>Parsing and rules of <see cref="StoreMode"/>.</summary>
public static class StoreModes
{
    /// <summary>Parses a seed mode token: <c>r</c>, <c>r+</c>, <c>a</c>, <c>w</c> or <c>w-</c>.</summary>
    /// <exception cref="StoreModeException">Any other token.</exception>
    public static StoreMode Parse(string token) => token switch
    {
        "r" => StoreMode.Read,
        "r+" => StoreMode.ReadWrite,
        "a" => StoreMode.Append,
        "w" => StoreMode.Write,
        "w-" => StoreMode.WriteNew,
        _ => throw new StoreModeException(
            $"Unknown store mode '{token}': expected one of 'r', 'r+', 'a', 'w', 'w-'."),
    };

    /// <summary>The seed token of a mode (<c>r+</c> for <see cref="StoreMode.ReadWrite"/>, …).</summary>
    public static string ToToken(this StoreMode mode) => mode switch
    {
        StoreMode.Read => "r",
        StoreMode.ReadWrite => "r+",
        StoreMode.Append => "a",
        StoreMode.Write => "w",
        StoreMode.WriteNew => "w-",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Whether the mode allows write, append and flush.</summary>
    public static bool CanWrite(this StoreMode mode) => mode != StoreMode.Read;
}
