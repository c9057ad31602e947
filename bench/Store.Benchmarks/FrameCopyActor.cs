using Akka.Actor;

namespace Store.Benchmarks;

/// <summary>
/// The floor of an actor per path (issue 16's memory breakdown): each frame one message carrying a
/// completion, copied into a hand-written chunked buffer of the actor's own and acknowledged, with
/// nothing of the store between (no coordinator, no budget, no batching, no ask).
/// </summary>
internal sealed class FrameCopyActor : ReceiveActor
{
    public FrameCopyActor(PlainChunkedBuffer buffer)
    {
        Receive<CopyFrame>(frame =>
        {
            buffer.Append(frame.Bytes);
            frame.Copied.TrySetResult();
        });
    }

    /// <summary>The props for an actor appending to <paramref name="buffer"/> (which only it touches while it runs).</summary>
    public static Props Props(PlainChunkedBuffer buffer) => Akka.Actor.Props.Create(() => new FrameCopyActor(buffer));

    /// <summary>Append <see cref="Bytes"/>; <see cref="Copied"/> completes once they are in the buffer.</summary>
    public sealed record CopyFrame(byte[] Bytes, TaskCompletionSource Copied);
}
