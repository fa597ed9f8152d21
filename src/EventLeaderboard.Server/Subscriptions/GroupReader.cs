namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// A read that waits: tries the group, and while nothing is available sleeps on this node's
/// signals (the message writer raised the watermark; an ack, redelivery or reset freed something)
/// with a short tick as the safety net for what other nodes and deadlines change. No busy loop.
/// </summary>
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
            var messages = await store.ReadAsync(group, consumer, count, ct);
            if (messages is null || messages.Count > 0) return messages;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return messages;
            await Task.WhenAny(written, changed, Task.Delay(left < Tick ? left : Tick, ct));
            ct.ThrowIfCancellationRequested();
        }
    }
}
