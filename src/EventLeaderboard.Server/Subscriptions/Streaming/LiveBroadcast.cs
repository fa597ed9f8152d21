using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Subscriptions.Streaming;

/// <summary>
/// Fans each board's freshly derived messages out to this node's stream clients. Each client has a
/// bounded channel: when it is full the client is dropped (its channel completes with
/// <see cref="SlowClientException"/>) instead of letting a slow reader grow the server's memory.
/// </summary>
public sealed class LiveBroadcast(IOptions<SubscriptionOptions> options)
{
    readonly Dictionary<string, List<LiveSubscription>> _byBoard = new(StringComparer.Ordinal);
    readonly Lock _gate = new();
    readonly int _capacity = Math.Max(1, options.Value.StreamBufferSize);
    long _lastPublishedSeqId;

    /// <summary>
    /// Subscribes to a board. <see cref="LiveSubscription.AfterSeqId"/> says from where the live
    /// messages start: everything of log events up to it was published before (serve it from the
    /// messages table), everything after arrives in the channel.
    /// </summary>
    public LiveSubscription Subscribe(string boardId)
    {
        lock (_gate)
        {
            var subscription = new LiveSubscription(this, boardId, _lastPublishedSeqId, _capacity);
            if (!_byBoard.TryGetValue(boardId, out var list)) _byBoard[boardId] = list = [];
            list.Add(subscription);
            return subscription;
        }
    }

    internal void Unsubscribe(LiveSubscription subscription)
    {
        lock (_gate)
        {
            if (_byBoard.TryGetValue(subscription.BoardId, out var list) && list.Remove(subscription) && list.Count == 0)
                _byBoard.Remove(subscription.BoardId);
        }
    }

    /// <summary>Called on the follower thread with one log event's messages, in order.</summary>
    public void Publish(LogMessage[] messages)
    {
        // Always under the lock (uncontended: ~20 ns per event): a subscriber added concurrently
        // either sees this event live or finds it below its AfterSeqId, never neither.
        lock (_gate)
        {
            _lastPublishedSeqId = LogMessage.SeqIdOf(messages[0].Ordinal);
            if (_byBoard.Count == 0) return;
            foreach (var message in messages)
            {
                if (!_byBoard.TryGetValue(message.BoardId, out var list)) continue;
                foreach (var subscription in list) subscription.Offer(message);
            }
        }
    }
}

/// <summary>One stream client's live feed.</summary>
public sealed class LiveSubscription : IDisposable
{
    readonly LiveBroadcast _owner;
    readonly Channel<LogMessage> _channel;

    internal LiveSubscription(LiveBroadcast owner, string boardId, long afterSeqId, int capacity)
    {
        _owner = owner;
        BoardId = boardId;
        AfterSeqId = afterSeqId;
        _channel = Channel.CreateBounded<LogMessage>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
    }

    public string BoardId { get; }

    /// <summary>Live messages all come from log events after this seq_id.</summary>
    public long AfterSeqId { get; }

    public ChannelReader<LogMessage> Messages => _channel.Reader;

    internal void Offer(LogMessage message)
    {
        if (!_channel.Writer.TryWrite(message))
            _channel.Writer.TryComplete(new SlowClientException());
    }

    public void Dispose()
    {
        _owner.Unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}

/// <summary>The client did not keep up with its board's messages and was dropped.</summary>
public sealed class SlowClientException() : Exception("The stream client fell too far behind and was disconnected.");
