using System.Threading.Channels;
using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Projection;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.History;

/// <summary>
/// The live path into the history index: collects rows on the follower's thread and hands them to
/// the <see cref="HistoryIndexer"/> once per page the follower applied. Off unless this node is the
/// index's writer.
/// </summary>
/// <remarks>
/// Never holds up the follower (and so never an ingest acknowledgement): the queue is bounded by
/// <see cref="HistoryOptions.QueueRows"/>, and when a page would exceed it the feed turns itself
/// off and queues an overflow marker instead of waiting. Everything from then on is missing from
/// the queue, and the writer re-derives it from the log before it turns the feed on again.
/// </remarks>
public sealed class HistoryFeed(IOptions<HistoryOptions> options) : HistoryRowCollector
{
    readonly Channel<HistoryPage> _queue = Channel.CreateUnbounded<HistoryPage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    readonly int _capacity = options.Value.QueueRows;
    volatile bool _on;
    long _queuedRows;
    long _lastObserved;

    public ChannelReader<HistoryPage> Pages => _queue.Reader;

    /// <summary>
    /// Position of the last submission or removal this node's projection applied, on every node and
    /// whether the feed is on. A write is acknowledged as soon as its event is applied, before the
    /// follower publishes the page's applied sequence; a history read that starts after the answer
    /// needs this to know that the index must include the write.
    /// </summary>
    public long LastObservedPosition => Volatile.Read(ref _lastObserved);

    /// <summary>
    /// Turns the feed on. Call on the follower's loop between pages
    /// (<see cref="LogFollower.RunBetweenEventsAsync{T}"/>): every event after that loop's seq_id is then queued.
    /// </summary>
    public void Start()
    {
        Clear();
        _on = true;
    }

    /// <summary>Whether events are being queued (this node writes the index and its queue has not overflowed).</summary>
    public bool IsOn => _on;

    /// <summary>Turns the feed off (any thread); what it queues meanwhile is at or below the next start's seq_id.</summary>
    public void Stop() => _on = false;

    /// <summary>The writer took a page off the queue.</summary>
    public void Consumed(HistoryPage page) => Interlocked.Add(ref _queuedRows, -page.Rows.Count);

    public override void ScoreApplied(BoardState board, ScoreItem item, in ApplyResult result, long position)
    {
        Volatile.Write(ref _lastObserved, position);
        if (_on) base.ScoreApplied(board, item, result, position);
    }

    public override void PlayerRemoved(BoardState board, string playerId, long previousRank, long position)
    {
        Volatile.Write(ref _lastObserved, position);
        if (_on) base.PlayerRemoved(board, playerId, previousRank, position);
    }

    /// <summary>
    /// The rows collected since the last page may be half an event, and the rebuild replays events
    /// already queued: turn off as on an overflow, so the writer re-derives from its durable
    /// watermark and turns the feed on again between two pages of the rebuilt projection.
    /// </summary>
    public override void Rebuilding()
    {
        Clear();
        if (!_on) return;
        _on = false;
        _queue.Writer.TryWrite(HistoryPage.Overflow(0));
    }

    public override void Advanced(long seqId)
    {
        if (!_on)
        {
            Clear();
            return;
        }
        if (Volatile.Read(ref _queuedRows) + Count > _capacity)
        {
            _on = false;
            Clear();
            _queue.Writer.TryWrite(HistoryPage.Overflow(seqId));
            return;
        }
        var rows = Take();
        Interlocked.Add(ref _queuedRows, rows.Count);
        _queue.Writer.TryWrite(new HistoryPage(seqId, rows, false));
    }
}

/// <summary>The rows of the events up to <paramref name="SeqId"/> since the previous page (possibly none).</summary>
/// <param name="Overflowed">True: the feed dropped this page and turned itself off.</param>
public sealed record HistoryPage(long SeqId, List<HistoryRow> Rows, bool Overflowed)
{
    public static HistoryPage Overflow(long seqId) => new(seqId, [], true);
}
