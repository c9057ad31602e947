using Store.Core;

namespace Store.Actors;

/// <summary>
/// The operations both kinds of store share, over a <see cref="DataStore{TData, TView, TReference}"/>:
/// the untyped protocol data is checked to be <typeparamref name="TData"/> (and views
/// <typeparamref name="TView"/>) before the core store sees it.
/// </summary>
/// <param name="store">The core store.</param>
/// <param name="dataName">What the data is, for messages ("an array").</param>
/// <param name="viewName">What a view is, for messages ("an array view").</param>
internal abstract class EntryOps<TData, TView, TReference>(DataStore<TData, TView, TReference> store, string dataName, string viewName) : EntryOps
    where TData : class
    where TView : class
    where TReference : class
{
    public override DataStore Store => store;

    public override IndexRange Append(string path, object data) => store.Append(path, Expect<TData>(path, data, dataName));

    public override void Write(string path, object data, object? view) =>
        store.Write(path, Expect<TData>(path, data, dataName), View(path, view));

    public override object? Read(string path, object? view) => store.Read(path, View(path, view));

    public override object? Get(string path) => store.Get(path);

    public override void Flush(string path) => store.Flush(path);

    public override void Discard(string path) => store.Discard(path);

    public override void Reload(string path) => store.Reload(path);

    public override IReadOnlyList<string> AvailableWithNew()
    {
        store.DiscoverNew();
        return store.Available();
    }

    private TView? View(string path, object? view) => view is null ? null : Expect<TView>(path, view, viewName);

    // The data as T, or a StoreException naming what was expected and what came.
    private static T Expect<T>(string path, object? value, string what) where T : class =>
        value as T ?? throw new StoreException(
            $"'{path}': expected {what} ({typeof(T).Name}), found {(value is null ? "null" : value.GetType().Name)}.", path);
}
