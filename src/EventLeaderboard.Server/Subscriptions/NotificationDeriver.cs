using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Ingest;
using EventLeaderboard.Server.Projection;
using EventLeaderboard.Server.Subscriptions.Streaming;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// The projection's observer: derives each event's messages on the follower thread (see
/// <see cref="NotificationRules"/>), numbers them, publishes them to live streams on this node and
/// queues them for the <see cref="MessageWriter"/>. Single-threaded, like the follower.
/// </summary>
public sealed class NotificationDeriver(MessageWriter writer, LiveBroadcast live, SubscriptionSchema schema) : IProjectionObserver
{
    readonly List<LogMessage> _current = [];
    long _currentSeqId = -1;
    long _skipUpTo = -1;
    long _flushedUpTo;

    /// <summary>Highest seq_id whose messages this node has derived (and published live).</summary>
    public long DerivedUpTo { get; private set; }

    public void ScoreApplied(BoardState board, ScoreItem item, in ApplyResult result, long position)
    {
        if (Begin(position)) NotificationRules.ScoreApplied(board, item, result, position, _current);
    }

    public void PlayerRemoved(BoardState board, string playerId, long previousRank, long position)
    {
        if (Begin(position)) NotificationRules.PlayerRemoved(board, playerId, previousRank, position, _current);
    }

    public void BoardChanged(BoardConfig config, long position)
    {
        if (Begin(position)) _current.Add(NotificationRules.BoardChanged(config, position));
    }

    public void Advanced(long seqId)
    {
        Flush();
        DerivedUpTo = seqId;
        writer.Advance(seqId);
    }

    /// <summary>Starts collecting for the position's event; false while replaying what is already written.</summary>
    bool Begin(long position)
    {
        // The follower's start-up (SnapshotRestorer) ensured the schema before applying anything.
        if (_skipUpTo < 0) _skipUpTo = schema.InitialWatermark ?? throw new InvalidOperationException("The subscription schema was not ensured before the projection applied events.");
        var seqId = position / LogPosition.ItemsPerEvent;
        if (seqId <= _skipUpTo) return false;
        if (seqId != _currentSeqId)
        {
            Flush();
            _currentSeqId = seqId;
        }
        return true;
    }

    void Flush()
    {
        if (_current.Count == 0) return;
        var messages = new LogMessage[_current.Count];
        for (var i = 0; i < messages.Length; i++)
            messages[i] = _current[i] with { Ordinal = _currentSeqId * LogMessage.PerEvent + i };
        _current.Clear();
        live.Publish(messages);
        writer.Enqueue(_currentSeqId, messages);
        _flushedUpTo = _currentSeqId;
    }

    /// <summary>
    /// Events up to the last one handed to the writer (and live streams) are complete and queued:
    /// the rebuild's replay skips them, so nothing is published or queued twice. What is collected
    /// and not flushed may be half an event: dropped, and derived again in full by the replay (a
    /// complete event among it too; re-deriving is deterministic).
    /// </summary>
    public void Rebuilding()
    {
        _current.Clear();
        _currentSeqId = -1;
        // A rebuild before the first derived event must still skip what was written before start-up.
        if (_skipUpTo < 0) _skipUpTo = schema.InitialWatermark ?? -1;
        _skipUpTo = Math.Max(_skipUpTo, _flushedUpTo);
    }
}
