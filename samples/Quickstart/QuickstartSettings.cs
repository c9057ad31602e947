using System.Text.Json;

namespace Quickstart;

/// <summary>The sample's settings, read from the <c>Store</c> and <c>Quickstart</c> sections of appsettings.json.</summary>
/// <param name="Mode">The mode the stores are created in. <b>Default</b>: <c>w</c>.</param>
/// <param name="Frames">Frames appended to each trajectory. <b>Default</b>: 200.</param>
/// <param name="Atoms">Atoms per frame. <b>Default</b>: 64.</param>
/// <param name="FlushEvery">Frames between flushes. <b>Default</b>: 50.</param>
internal sealed record QuickstartSettings(string Mode = "w", int Frames = 200, int Atoms = 64, int FlushEvery = 50)
{
    /// <summary>Reads <paramref name="file"/>; missing keys keep their defaults.</summary>
    public static QuickstartSettings Load(string file)
    {
        var settings = new QuickstartSettings();
        if (!File.Exists(file))
        {
            return settings;
        }

        using var json = JsonDocument.Parse(File.ReadAllText(file));
        var root = json.RootElement;
        if (root.TryGetProperty("Store", out var store) && store.TryGetProperty("Mode", out var mode))
        {
            settings = settings with { Mode = mode.GetString() ?? settings.Mode };
        }

        if (root.TryGetProperty("Quickstart", out var quickstart))
        {
            settings = settings with
            {
                Frames = quickstart.TryGetProperty("Frames", out var f) ? f.GetInt32() : settings.Frames,
                Atoms = quickstart.TryGetProperty("Atoms", out var a) ? a.GetInt32() : settings.Atoms,
                FlushEvery = quickstart.TryGetProperty("FlushEvery", out var e) ? e.GetInt32() : settings.FlushEvery,
            };
        }

        return settings;
    }
}
