// Quickstart: writes a small random-walk trajectory through two array stores (NPY and NPZ),
// flushing as it goes, then reopens each store read-only and lists what it holds.
// Usage: dotnet run --project samples/Quickstart -- <output folder>
using Quickstart;
using Store.Core;
using Store.Core.Arrays;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Quickstart <output folder>");
    return 2;
}

var settings = QuickstartSettings.Load(Path.Combine(AppContext.BaseDirectory, "appsettings.json"));
var output = Path.GetFullPath(args[0]);

foreach (var format in new[] { DiskFormat.Npy, DiskFormat.Npz })
{
    var root = Path.Combine(output, format.ToString().ToLowerInvariant());
    using (var store = new ArrayStore(root, settings.Mode, format))
    {
        WriteTrajectory(store, settings);
    }

    using var reopened = new ArrayStore(root, StoreMode.Read, format);
    Console.WriteLine($"{format} store at {reopened.Path}:");
    foreach (var path in reopened.Available())
    {
        Console.WriteLine($"  {path,-24} {reopened.DTypeOf(path)!.Value.Name(),-8} {string.Join(" x ", reopened.Shape(path)!)}");
    }
}

return 0;

static void WriteTrajectory(ArrayStore store, QuickstartSettings settings)
{
    var random = new Random(42);
    var positions = new float[settings.Atoms * 3];
    for (var frame = 0; frame < settings.Frames; frame++)
    {
        for (var i = 0; i < positions.Length; i++)
        {
            positions[i] += (float)(random.NextDouble() - 0.5);
        }

        var spread = positions.Select(p => (double)p * p).Average();
        store.Append("ens0/run0/coordinates", NdArray.From(positions, 1, settings.Atoms, 3));
        store.Append("ens0/run0/msd", NdArray.From([spread]));
        if ((frame + 1) % settings.FlushEvery == 0)
        {
            store.Flush();
        }
    }

    store.Write("ens0/run0/masses", NdArray.From(Enumerable.Repeat(39.948, settings.Atoms).ToArray()));
}
