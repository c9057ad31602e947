namespace Store.Core;

/// <summary>What kind of data a store holds.</summary>
public enum StoreKind
{
    /// <summary>N-dimensional numeric arrays (<see cref="Arrays.NdArray"/>).</summary>
    Array,

    /// <summary>Columnar tables.</summary>
    Table,
}
