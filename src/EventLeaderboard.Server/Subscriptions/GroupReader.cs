namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// A read that waits: tries the group, and while nothing is available sleeps on this node's
/// signals (the message writer raised the watermark; an ack, redelivery or reset freed something)
/// with a short tick as the safety net for what other nodes and deadlines change. No busy loop.
/// </summary>
/// <remarks>
/// A group filtered by kind ignores most of the message writer's wake-ups: the writer raises its
/// watermark once per log page (hundreds of times a second under single-score ingest), and a
/// group of rare kinds (the in-process group: top-N changes and new leaders) finds nothing in
/// almost all of those pages. Each read is a transaction of several statements, so the reader
/// reads again only when the writer has written a row holding one of the group's kinds past what
/// the last read covered (<see cref="ReadHorizon"/>); acks, redeliveries, resets and the tick
/// still always read.
/// </remarks>
public sealed class GroupReader(ConsumerGroupStore store, MessageWriter writer)
{
    /// <summary>Longest sleep between two attempts: bounds how late an expired message of another node's consumer is seen.</summary>
    static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);

    /// <summary>Messages for <paramref name="consumer"/> (empty after <paramref name="wait"/>); null when the group does not exist.</summary>
    public async Task<List<DeliveredMessage>?> ReadAsync(string group, string consumer, int count, TimeSpan wait, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            // Take the signals before reading, so a change during the read is not missed.
            var written = writer.NextWrite;
            var changed = store.Changed;
            var (messages, horizon) = await store.ReadAsync(group, consumer, count, ct);
            if (messages is null || messages.Count > 0) return messages;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return messages;
            var tick = Task.Delay(left < Tick ? left : Tick, ct);
            while (true)
            {
                await Task.WhenAny(written, changed, tick);
                ct.ThrowIfCancellationRequested();
                if (!written.IsCompleted || changed.IsCompleted) break; // the tick, or something was freed
                // Only the writer moved. The next signal first, so a write after the check below still wakes this.
                written = writer.NextWrite;
                if (!horizon.Covers(writer.LastWrittenWithAnyOf(horizon.KindMask))) break;
            }
        }
    }
}

/// <summary>
/// What one committed read of a group covered: the group's kinds, and the messages watermark its
/// cursor reached (-1 when it stopped short of it, e.g. at the scan budget, or when unknown). Each
/// waiting reader keeps its own read's: another consumer's later read may have queued messages for
/// this one from rows this one's read never reached.
/// </summary>
public readonly record struct ReadHorizon(int KindMask, long CaughtUpTo)
{
    public static readonly ReadHorizon Unknown = new(MessageKinds.AnyMask, -1);

    /// <summary>Whether a row written at <paramref name="seqId"/> was already within the read's reach.</summary>
    public bool Covers(long seqId) => CaughtUpTo >= 0 && seqId <= CaughtUpTo;
}
