using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Store.Core;

namespace Store.Hosting;

/// <summary>
/// Reads the <c>Store</c> configuration section onto <see cref="StoreOptions"/> and reports every
/// mistake in it the way <see cref="StoreOptionsValidator"/> reports a bad value (key, what is
/// allowed, what was found), where the configuration binder would ignore it or throw its own
/// generic exception: a key that is no setting (named with the nearest one that is), a value that
/// does not convert to the setting's type, and a <c>FlushInterval</c> given as a bare number (which
/// the binder reads as days). The settings are the public settable properties of
/// <see cref="StoreOptions"/> (and of the classes of nested sections), found by reflection, so the
/// check follows the options as they change.
/// </summary>
public static class StoreConfiguration
{
    private static readonly (string Suffix, TimeSpan Unit)[] DurationUnits =
    [
        ("ms", TimeSpan.FromMilliseconds(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("m", TimeSpan.FromMinutes(1)),
        ("h", TimeSpan.FromHours(1)),
        ("d", TimeSpan.FromDays(1)),
    ];

    /// <summary>
    /// Sets every setting of <paramref name="section"/> that converts onto <paramref name="options"/>
    /// (the others keep their values) and returns the problems, one message per key; none: the
    /// section is sound. Never throws for what the section holds.
    /// </summary>
    public static IReadOnlyList<string> Bind(IConfigurationSection section, StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        BindObject(section, options, problems);
        return problems;
    }

    /// <summary>The problems of <paramref name="section"/> (see <see cref="Bind"/>), without options to set.</summary>
    public static IReadOnlyList<string> Check(IConfigurationSection section) => Bind(section, new StoreOptions());

    /// <summary>
    /// Reads a duration: a <see cref="TimeSpan"/> such as <c>00:00:30</c> or <c>1.00:00:00</c>, or a
    /// number with a unit: <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c> (<c>30s</c>, <c>1.5m</c>).
    /// A bare number is refused: <see cref="TimeSpan.Parse(string)"/> would read <c>30</c> as 30 days.
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var trimmed = text.Trim();
        if (trimmed.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out duration);
        }

        foreach (var (suffix, unit) in DurationUnits)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && !(suffix == "s" && trimmed.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
                && double.TryParse(trimmed[..^suffix.Length].TrimEnd(), NumberStyles.Float, CultureInfo.InvariantCulture, out var count)
                && double.IsFinite(count)
                && Math.Abs(count * unit.Ticks) < TimeSpan.MaxValue.Ticks)
            {
                duration = TimeSpan.FromTicks((long)Math.Round(count * unit.Ticks));
                return true;
            }
        }

        return false;
    }

    /// <summary>A duration as the configuration writes it and in words: <c>00:00:30 (30 s)</c>.</summary>
    public static string Describe(TimeSpan duration)
    {
        var words = duration.TotalDays >= 1 ? $"{duration.TotalDays:0.###} d"
            : duration.TotalHours >= 1 ? $"{duration.TotalHours:0.###} h"
            : duration.TotalMinutes >= 1 ? $"{duration.TotalMinutes:0.###} min"
            : duration.TotalSeconds >= 1 ? $"{duration.TotalSeconds:0.###} s"
            : $"{duration.TotalMilliseconds:0.###} ms";
        return $"{duration.ToString("c", CultureInfo.InvariantCulture)} ({words})";
    }

    private static void BindObject(IConfigurationSection section, object target, List<string> problems)
    {
        var settings = Settings(target.GetType());
        foreach (var child in section.GetChildren())
        {
            if (!settings.TryGetValue(child.Key, out var property))
            {
                problems.Add($"{child.Path} is not a setting of {section.Path}; the nearest is {NearestName.Closest(child.Key, settings.Keys)} " +
                    $"(settings: {string.Join(", ", settings.Keys.Order(StringComparer.Ordinal))}).");
                continue;
            }

            if (IsSection(property.PropertyType))
            {
                if (child.Value is { Length: > 0 })
                {
                    problems.Add($"{child.Path} is a section of settings ({string.Join(", ", Settings(property.PropertyType).Keys)}); found the value '{child.Value}'.");
                    continue;
                }

                var nested = property.GetValue(target) ?? Activator.CreateInstance(property.PropertyType)!;
                BindObject(child, nested, problems);
                property.SetValue(target, nested);
                continue;
            }

            if (child.GetChildren().Any())
            {
                problems.Add($"{child.Path} is a single value; found a section ({string.Join(", ", child.GetChildren().Select(c => c.Key))}).");
                continue;
            }

            if (child.Value is null)
            {
                continue; // present without a value (JSON null): the setting keeps its default
            }

            if (TryConvert(child.Value, property.PropertyType, out var value, out var expected))
            {
                property.SetValue(target, value);
            }
            else
            {
                problems.Add($"{child.Path} must be {expected}; found '{child.Value}'.");
            }
        }
    }

    // Public settable properties by configuration key (the binder's [ConfigurationKeyName], else the property name), case-insensitive as the binder is.
    private static Dictionary<string, PropertyInfo> Settings(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name, StringComparer.OrdinalIgnoreCase);

    // A class of settings (a nested section), as opposed to a value the section holds as a string.
    private static bool IsSection(Type type) =>
        type.IsClass && type != typeof(string) && type.GetConstructor(Type.EmptyTypes) is not null
        && !TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    private static bool TryConvert(string text, Type type, out object? value, out string expected)
    {
        value = null;
        var underlying = Nullable.GetUnderlyingType(type);
        var target = underlying ?? type;
        expected = Expected(target);
        if (text.Length == 0 && (underlying is not null || !target.IsValueType))
        {
            // An empty value: null where the setting allows it, the empty string for text.
            value = target == typeof(string) ? "" : null;
            return true;
        }

        if (target == typeof(string))
        {
            value = text;
            return true;
        }

        if (target == typeof(TimeSpan))
        {
            var ok = TryParseDuration(text, out var duration);
            value = duration;
            return ok;
        }

        if (target.IsEnum)
        {
            // Names only (any case): a number or a name the enum does not define is a mistake, not a value.
            var names = Enum.GetNames(target);
            var name = names.FirstOrDefault(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                expected = $"one of {string.Join(", ", names)} (nearest: {NearestName.Closest(text, names)})";
                return false;
            }

            value = Enum.Parse(target, name);
            return true;
        }

        try
        {
            value = TypeDescriptor.GetConverter(target).ConvertFromInvariantString(text);
            return value is not null;
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException or OverflowException
            || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Expected(Type type) => type switch
    {
        _ when type == typeof(int) => $"a whole number from {int.MinValue} to {int.MaxValue}",
        _ when type == typeof(long) => $"a whole number from {long.MinValue} to {long.MaxValue}",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number such as 0.5",
        _ when type == typeof(TimeSpan) => "a duration such as 00:00:30 (hh:mm:ss) or a number with a unit (500ms, 30s, 5m, 2h, 1d); " +
            "a bare number has no unit (TimeSpan would read 30 as 30 days)",
        _ => $"a {type.Name}",
    };
}
