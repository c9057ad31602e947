namespace Store.Actors;

/// <summary>Answered by a journaled actor once it has recovered (it stashes commands until then), so the coordinator knows when a store is ready.</summary>
internal sealed record RecoveryProbe
{
    public static readonly RecoveryProbe Instance = new();
}
