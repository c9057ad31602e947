// The C# snippets run in this process with the current directory set to a temporary folder (they
// write relative paths such as out/arrays, as a user's program would), so tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
