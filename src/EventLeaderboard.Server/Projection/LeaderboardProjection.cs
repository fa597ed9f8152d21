using System.Collections.Concurrent;
using System.Text.Json;
using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Ingest;
using EventLeaderboard.Server.Subscriptions;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Projection;

/// <summary>
/// The in-memory read model of this node: every board's settings, ranking and idempotency window,
/// built by applying the log's events in global order.
/// </summary>
/// <remarks>
/// Invariants: only the log follower calls the Apply methods (one writer at a time, as the ranking
/// engine requires); events are applied in increasing seq_id; <see cref="AppliedSequence"/> is
/// published after the event's effects, so a reader that sees position P also sees every event up
/// to P. Every decision here depends only on the log (never on which node appended an event or on
/// the clock), so every node derives the same state, ties included.
/// <para>An exception escaping an Apply method (or an observer's) leaves an event half applied: the
/// projection is then <see cref="IsPoisoned"/> and not ready, and the follower rebuilds it
/// (<see cref="BeginRebuild"/>) into a fresh set of boards. Readers keep the last set until the new
/// one has caught up; nothing is ever mutated back in place.</para>
/// </remarks>
/// <param name="observers">See each change right after it is applied (subscriptions derive their
/// notifications there, the history index collects its rows); optional, and costs one null check
/// per change when there are none.</param>
public sealed class LeaderboardProjection(IOptions<IngestOptions> options, IEnumerable<IProjectionObserver>? observers = null)
{
    readonly IProjectionObserver? _observer = ProjectionObservers.Of(observers);
    /// <summary>The boards the Apply methods change (the follower's working set).</summary>
    ConcurrentDictionary<string, BoardState> _boards = NewBoards();
    /// <summary>
    /// What readers see while a rebuild fills <see cref="_boards"/> (the boards as they were when
    /// the projection was poisoned, no longer changed); null when readers see the working set.
    /// </summary>
    ConcurrentDictionary<string, BoardState>? _published;
    readonly int _windowSize = options.Value.IdempotencyWindow;
    long _appliedSequence;
    long _advancedSeqId;
    volatile bool _ready;
    volatile bool _poisoned;
    TaskCompletionSource _advanced = NewSignal();

    /// <summary>Position up to which this node reflects the whole log (a lower bound for answers).</summary>
    public long AppliedSequence => Volatile.Read(ref _appliedSequence);

    /// <summary>True once the start-up replay (or a rebuild) reached the head of the log; false while poisoned.</summary>
    public bool IsReady => _ready;

    /// <summary>An apply failed part-way: the state may be half an event ahead until <see cref="BeginRebuild"/>.</summary>
    public bool IsPoisoned => _poisoned;

    /// <summary>The seq_id of the last <see cref="Advance"/> since the last (re)build (unlike <see cref="AppliedSequence"/>, not carried over a rebuild).</summary>
    internal long AdvancedSeqId => _advancedSeqId;

    /// <summary>
    /// The working set unless a rebuild is filling it. Reads the working set first: a rebuild
    /// publishes the old set before it swaps in the new one, so whoever sees the new (still
    /// incomplete) set also sees the old one published, and never an empty set in between.
    /// </summary>
    ConcurrentDictionary<string, BoardState> Visible
    {
        get
        {
            var working = Volatile.Read(ref _boards);
            return Volatile.Read(ref _published) ?? working;
        }
    }

    public bool TryGetBoard(string boardId, out BoardState board) => Visible.TryGetValue(boardId, out board!);

    public IEnumerable<BoardState> Boards => Visible.Values;

    /// <summary>Waits (without spinning) until the node has applied <paramref name="position"/>; false on timeout.</summary>
    public async ValueTask<bool> WaitForAsync(long position, TimeSpan timeout, CancellationToken ct)
    {
        if (AppliedSequence >= position) return true;
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var signal = Volatile.Read(ref _advanced).Task;
            if (AppliedSequence >= position) return true;
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero) return false;
            try { await signal.WaitAsync(remaining, ct); }
            catch (TimeoutException) { return AppliedSequence >= position; }
        }
    }

    internal void MarkReady()
    {
        PublishBoards();
        _ready = true;
    }

    /// <summary>Readers see the working set, and the position it reached, from now on (the end of a rebuild's catch-up).</summary>
    internal void PublishBoards()
    {
        if (Volatile.Read(ref _published) is null) return;
        Volatile.Write(ref _published, null);
        PublishSequence(_advancedSeqId);
    }

    /// <summary>
    /// Exception filter for the Apply methods: marks the projection poisoned and not ready the moment
    /// an exception leaves one (before any handler runs, so no read or write slips in as ready), and
    /// lets the exception go on unchanged.
    /// </summary>
    bool Poison()
    {
        _ready = false;
        _poisoned = true;
        return false;
    }

    /// <summary>
    /// Starts over after <see cref="IsPoisoned"/> (follower only): an empty working set of boards, to
    /// be filled from snapshots and the log like at start-up. Readers keep seeing the set as it was
    /// (they get 503 while not ready; one that passed the gate just before finishes on the old
    /// objects), observers drop what they derived from the half-applied event.
    /// </summary>
    internal void BeginRebuild()
    {
        _ready = false;
        Volatile.Write(ref _published, Visible);
        Volatile.Write(ref _boards, NewBoards());
        _advancedSeqId = 0;
        _observer?.Rebuilding();
        _poisoned = false;
    }

    static ConcurrentDictionary<string, BoardState> NewBoards() => new(StringComparer.Ordinal);

    /// <summary>Runs a (rare, one-per-event) apply under <see cref="Poison"/>.</summary>
    TResult Guarded<TEvent, TResult>(long seqId, TEvent evt, Func<LeaderboardProjection, long, TEvent, TResult> apply)
    {
        try
        {
            return apply(this, seqId, evt);
        }
        catch when (Poison())
        {
            throw;
        }
    }

    /// <summary>
    /// Installs a board restored from a snapshot, before the follower reads the log tail (start-up,
    /// or a private projection used for audit). Events up to <see cref="BoardState.RestoredThrough"/>
    /// are then skipped for this board.
    /// </summary>
    internal void Restore(BoardState board) => _boards[board.Config.BoardId] = board;

    /// <summary>Whether an event at <paramref name="seqId"/> is already part of a restored board.</summary>
    static bool AlreadyIn(BoardState board, long seqId) => seqId <= board.RestoredThrough;

    /// <summary>Publishes progress: readers see every effect applied before this call.</summary>
    /// <remarks>
    /// The published sequence never moves back: it describes what readers see, and during a rebuild
    /// that is the old set of boards until the new one has caught up.
    /// </remarks>
    internal void Advance(long seqId)
    {
        try
        {
            _observer?.Advanced(seqId);
        }
        catch when (Poison())
        {
            throw;
        }
        _advancedSeqId = seqId;
        // While a rebuild fills the working set, readers see the old set: the published position
        // must keep describing that one (see PublishBoards).
        if (Volatile.Read(ref _published) is null) PublishSequence(seqId);
    }

    void PublishSequence(long seqId)
    {
        var end = LogPosition.EndOf(seqId);
        if (end > _appliedSequence) Volatile.Write(ref _appliedSequence, end);
        Interlocked.Exchange(ref _advanced, NewSignal()).TrySetResult();
    }

    internal void ApplyScores(long seqId, ScoresSubmitted evt, OwnEvent? own)
    {
        try
        {
            var items = evt.Items;
            for (var i = 0; i < items.Length && i < LogPosition.ItemsPerEvent; i++)
            {
                PrefetchAhead(items, i, items.Length);
                var result = ApplyScore(items[i], LogPosition.Of(seqId, i));
                if (own is not null) own.Owners![i].Complete(own.OwnerIndex![i], result);
            }
        }
        catch when (Poison())
        {
            throw;
        }
    }

    /// <summary>
    /// Before applying item <paramref name="i"/> of a batch: asks the engine to prefetch the index slot
    /// of the item <see cref="PrefetchDistance"/> places ahead and the leaf of the one half as far
    /// (whose slot the previous hints brought in). At 10M players an apply is mostly cache misses;
    /// this overlaps the next items' misses with the current item's work.
    /// </summary>
    internal void PrefetchAhead(ScoreItem[] items, int i, int count)
    {
        if (i + PrefetchDistance < count) Hint(items[i + PrefetchDistance], deep: false);
        if (i + PrefetchDistance / 2 < count) Hint(items[i + PrefetchDistance / 2], deep: true);

        void Hint(ScoreItem item, bool deep)
        {
            // A hint never throws (a null id is the apply's to reject, not the hint's).
            if (item.BoardId is not null && _boards.TryGetValue(item.BoardId, out var board)) board.Ranking.PrefetchForApply(item.PlayerId, deep);
        }
    }

    /// <summary>Items between a hint and the apply it prepares (see <see cref="PrefetchAhead"/>).</summary>
    const int PrefetchDistance = 8;

    /// <summary>
    /// Applies item <paramref name="index"/> of the score event <paramref name="seqId"/> alone: a
    /// replay skips the items of boards it does not build, and skipping them must not move the
    /// log positions (ties) of the items it keeps.
    /// </summary>
    internal ScoreResult ApplyReplayedScore(long seqId, int index, ScoreItem item)
    {
        System.Diagnostics.Debug.Assert(index is >= 0 and < LogPosition.ItemsPerEvent);
        try
        {
            return ApplyScore(item, LogPosition.Of(seqId, index));
        }
        catch when (Poison())
        {
            throw;
        }
    }

    ScoreResult ApplyScore(ScoreItem item, long position)
    {
        if (!_boards.TryGetValue(item.BoardId, out var board))
            return new ScoreResult(ScoreResultKind.UnknownBoard, default);
        if (AlreadyIn(board, position / LogPosition.ItemsPerEvent))
            return new ScoreResult(ScoreResultKind.Duplicate, default);
        // A submission id seen before on this board is a retry (possibly raced from another node):
        // it changes nothing, on every node alike.
        if (item.SubmissionId is { } sid && board.Submissions.TryGet(sid, out var first))
            return new ScoreResult(ScoreResultKind.Duplicate, first);
        ApplyResult applied;
        try
        {
            var metadata = item.Metadata is { ValueKind: JsonValueKind.Object } m ? JsonSerializer.SerializeToUtf8Bytes(m) : [];
            applied = board.Ranking.Apply(item.PlayerId, item.Value, position, metadata);
        }
        catch (ScoreOverflowException)
        {
            return new ScoreResult(ScoreResultKind.Overflow, default);
        }
        catch (ArgumentException)
        {
            // Validation keeps these out; an event written by another version could still carry one.
            return new ScoreResult(ScoreResultKind.Rejected, default);
        }
        _observer?.ScoreApplied(board, item, applied, position);
        var outcome = new SubmissionOutcome(item.PlayerId, applied.Score, applied.Rank, applied.PreviousRank, applied.Changed, position);
        if (item.SubmissionId is { } id) board.Submissions.TryRemember(id, outcome);
        return new ScoreResult(ScoreResultKind.Applied, outcome);
    }

    internal RemovalResult ApplyRemoval(long seqId, PlayerRemoved evt) =>
        Guarded(seqId, evt, static (projection, seqId, evt) => projection.ApplyRemovalCore(seqId, evt));

    RemovalResult ApplyRemovalCore(long seqId, PlayerRemoved evt)
    {
        long previousRank = 0;
        var removed = _boards.TryGetValue(evt.BoardId, out var board) && !AlreadyIn(board, seqId) && board.Ranking.Remove(evt.PlayerId, out previousRank);
        if (removed) _observer?.PlayerRemoved(board!, evt.PlayerId, previousRank, LogPosition.Of(seqId, 0));
        return new RemovalResult(removed, LogPosition.Of(seqId, 0));
    }

    internal BoardChangeResult ApplyBoardDefined(long seqId, BoardDefined evt) =>
        Guarded(seqId, evt, static (projection, seqId, evt) => projection.ApplyBoardDefinedCore(seqId, evt));

    BoardChangeResult ApplyBoardDefinedCore(long seqId, BoardDefined evt)
    {
        var position = LogPosition.Of(seqId, 0);
        if (!BoardNames.TryParseSortOrder(evt.SortOrder, out var order) || !BoardNames.TryParseUpdatePolicy(evt.UpdatePolicy, out var policy))
            return new BoardChangeResult(BoardChangeKind.Conflict, null, position);
        if (_boards.TryGetValue(evt.BoardId, out var existing))
        {
            if (AlreadyIn(existing, seqId)) return new BoardChangeResult(BoardChangeKind.Updated, existing.Config, position);
            // Two definitions raced (two nodes, or two admins): the later one is an update when it
            // agrees on the fixed settings and a no-op otherwise.
            var current = existing.Config;
            if (current.SortOrder != order || current.UpdatePolicy != policy)
                return new BoardChangeResult(BoardChangeKind.Conflict, current, position);
            existing.Config = current with
            {
                MinScore = evt.MinScore ?? current.MinScore,
                MaxScore = evt.MaxScore ?? current.MaxScore,
                TopN = evt.TopN ?? current.TopN,
                DisplayName = evt.DisplayName ?? current.DisplayName,
            };
            _observer?.BoardChanged(existing.Config, position);
            return new BoardChangeResult(BoardChangeKind.Updated, existing.Config, position);
        }
        var config = new BoardConfig(evt.BoardId, order, policy, evt.MinScore, evt.MaxScore, evt.TopN ?? BoardConfig.DefaultTopN, evt.DisplayName);
        _boards[evt.BoardId] = new BoardState(config, _windowSize);
        _observer?.BoardChanged(config, position);
        return new BoardChangeResult(BoardChangeKind.Created, config, position);
    }

    internal BoardChangeResult ApplyBoardUpdated(long seqId, BoardUpdated evt) =>
        Guarded(seqId, evt, static (projection, seqId, evt) => projection.ApplyBoardUpdatedCore(seqId, evt));

    BoardChangeResult ApplyBoardUpdatedCore(long seqId, BoardUpdated evt)
    {
        var position = LogPosition.Of(seqId, 0);
        if (!_boards.TryGetValue(evt.BoardId, out var board))
            return new BoardChangeResult(BoardChangeKind.Conflict, null, position);
        if (AlreadyIn(board, seqId)) return new BoardChangeResult(BoardChangeKind.Updated, board.Config, position);
        var current = board.Config;
        board.Config = current with
        {
            MinScore = evt.MinScore ?? current.MinScore,
            MaxScore = evt.MaxScore ?? current.MaxScore,
            TopN = evt.TopN ?? current.TopN,
            DisplayName = evt.DisplayName ?? current.DisplayName,
        };
        _observer?.BoardChanged(board.Config, position);
        return new BoardChangeResult(BoardChangeKind.Updated, board.Config, position);
    }

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// An event this node appended, kept in memory so the follower applies it without parsing it back
/// and hands each item's outcome to the waiting request. For scores, item i belongs to
/// <c>Owners[i]</c> at index <c>OwnerIndex[i]</c>.
/// </summary>
public sealed record OwnEvent(object Event, ScoreSubmission[]? Owners = null, int[]? OwnerIndex = null, PendingWrite? Single = null);
