using EventLeaderboard.Server.Ingest;

namespace EventLeaderboard.Server.Projection;

/// <summary>The first outcome of a submission, returned again to retries with the same submission id.</summary>
public readonly record struct SubmissionOutcome(string PlayerId, long Score, long Rank, long? PreviousRank, bool Changed, long Sequence);

/// <summary>An <see cref="IdempotencyWindow"/>'s submissions copied at one moment (<see cref="IdempotencyWindow.Freeze"/>).</summary>
public sealed record FrozenWindow(string[] Order, Dictionary<string, SubmissionOutcome> Outcomes)
{
    /// <summary>The submissions, oldest first.</summary>
    public List<(string SubmissionId, SubmissionOutcome Outcome)> Entries() => Order.Select(id => (id, Outcomes[id])).ToList();
}

/// <summary>What <see cref="IdempotencyWindow.Claim"/> found for a submission id.</summary>
public enum ClaimResult : byte
{
    /// <summary>Neither applied nor in flight: now claimed by the caller, who must append it and <see cref="IdempotencyWindow.Release"/> it.</summary>
    Claimed,

    /// <summary>Applied before: the first outcome is known.</summary>
    Known,

    /// <summary>In flight in another request of this node (or earlier in the same one): wait for its outcome.</summary>
    InFlight,
}

/// <summary>A request's claim on a submission id: item <c>Index</c> of what <c>Results</c> completes with.</summary>
public readonly record struct SubmissionClaim(Task<ScoreResult[]> Results, int Index);

/// <summary>
/// Per board: submission id -> first outcome, for the last <c>capacity</c> submissions that carried
/// an id (oldest forgotten first), and the ids this node is appending right now. Outcomes are written
/// by the log follower only; claims by request threads. One lock guards both, so "not applied, not
/// in flight, now claimed" is one step: a retry can neither slip between an apply and the end of
/// its claim nor be appended twice by two requests of this node (two nodes can, and the apply of
/// the later one finds the earlier's outcome, on every node alike).
/// </summary>
/// <remarks>A request claims all its ids under one lock acquisition and releases them under another:
/// per id that is one look-up in the window and a small in-flight table, instead of a lock, a
/// window look-up before and after claiming, and a task per id.</remarks>
public sealed class IdempotencyWindow(int capacity, int expected = 0)
{
    readonly Dictionary<string, SubmissionOutcome> _outcomes = new(Math.Min(expected, capacity), StringComparer.Ordinal);
    readonly Queue<string> _order = new(Math.Min(expected, capacity));
    readonly Dictionary<string, SubmissionClaim> _inFlight = new(StringComparer.Ordinal);
    readonly Lock _gate = new();

    public bool TryGet(string submissionId, out SubmissionOutcome outcome)
    {
        lock (_gate) return _outcomes.TryGetValue(submissionId, out outcome);
    }

    /// <summary>Holds the lock for a run of <see cref="Claim"/> calls (one request's ids).</summary>
    public Lock.Scope ClaimScope() => _gate.EnterScope();

    /// <summary>
    /// Looks <paramref name="submissionId"/> up and, when it is neither known nor in flight, claims it
    /// as item <paramref name="index"/> of <paramref name="results"/>. Call only inside <see cref="ClaimScope"/>.
    /// </summary>
    /// <param name="first">The first outcome (<see cref="ClaimResult.Known"/>).</param>
    /// <param name="holder">The claim to wait for (<see cref="ClaimResult.InFlight"/>).</param>
    public ClaimResult Claim(string submissionId, Task<ScoreResult[]> results, int index, out SubmissionOutcome first, out SubmissionClaim holder)
    {
        holder = default;
        if (_outcomes.TryGetValue(submissionId, out first)) return ClaimResult.Known;
        if (_inFlight.TryGetValue(submissionId, out holder)) return ClaimResult.InFlight;
        _inFlight.Add(submissionId, new SubmissionClaim(results, index));
        return ClaimResult.Claimed;
    }

    /// <summary>
    /// Ends claims made for <paramref name="results"/>, once it completed or failed: an item that was
    /// applied has its outcome in the window by then; one that was not (a failed commit, an overflow)
    /// may be submitted again.
    /// </summary>
    public void Release(IEnumerable<string> submissionIds, Task<ScoreResult[]> results)
    {
        lock (_gate)
        {
            foreach (var id in submissionIds)
                if (_inFlight.TryGetValue(id, out var claim) && ReferenceEquals(claim.Results, results))
                    _inFlight.Remove(id);
        }
    }

    /// <summary>The remembered submissions, oldest first (for snapshots; call it with writes paused).</summary>
    public List<(string SubmissionId, SubmissionOutcome Outcome)> Entries()
    {
        lock (_gate)
        {
            var entries = new List<(string, SubmissionOutcome)>(_order.Count);
            foreach (var id in _order) entries.Add((id, _outcomes[id]));
            return entries;
        }
    }

    /// <summary>
    /// The remembered submissions as they are now, for a snapshot taken with writes paused: the
    /// order and the table copied whole (two memory copies: 81-101 ms for a million on the 2-core test
    /// machine), where listing them looks every id up (187-240 ms). <see cref="FrozenWindow.Entries"/>
    /// lists them later, on any thread.
    /// </summary>
    public FrozenWindow Freeze()
    {
        lock (_gate) return new FrozenWindow(_order.ToArray(), new Dictionary<string, SubmissionOutcome>(_outcomes, StringComparer.Ordinal));
    }

    /// <summary>
    /// A window holding <paramref name="entries"/> (oldest first), sized for them up front: a
    /// snapshot of a busy board restores a million of them, and growing the table step by step
    /// rehashes them all several times.
    /// </summary>
    public static IdempotencyWindow Restore(int capacity, List<(string SubmissionId, SubmissionOutcome Outcome)> entries)
    {
        var window = new IdempotencyWindow(capacity, entries.Count);
        foreach (var (id, outcome) in entries) window.TryRemember(id, outcome);
        return window;
    }

    /// <summary>Remembers the first outcome of a submission; false (and no change) when the id is already known.</summary>
    public bool TryRemember(string submissionId, SubmissionOutcome outcome)
    {
        lock (_gate)
        {
            if (!_outcomes.TryAdd(submissionId, outcome)) return false;
            _order.Enqueue(submissionId);
            if (_order.Count > capacity) _outcomes.Remove(_order.Dequeue());
            return true;
        }
    }
}
