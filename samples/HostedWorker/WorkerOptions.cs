namespace HostedWorker;

/// <summary>The <c>Worker</c> configuration section.</summary>
public sealed class WorkerOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Worker";

    /// <summary>Stop by itself after this long (a graceful stop, as Ctrl+C). <b>Default</b>: run until stopped.</summary>
    public TimeSpan? RunFor { get; set; }
}
