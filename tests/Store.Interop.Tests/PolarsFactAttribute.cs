namespace Store.Interop.Tests;

/// <summary>A test that runs polars: skipped, with the reason shown, when nodejs-polars is not installed in tests/interop.</summary>
public sealed class PolarsFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when polars is missing.</summary>
    public PolarsFactAttribute()
    {
        if (!Readers.PolarsInstalled)
        {
            Skip = "polars is not installed: python polars and pyarrow have no Debian package and PyPI is not reachable here; " +
                   "the npm package nodejs-polars (with nodejs-polars-linux-x64-gnu) in tests/interop/node_modules enables this test";
        }
    }
}
