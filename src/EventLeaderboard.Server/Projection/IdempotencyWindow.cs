namespace EventLeaderboard.Server.Projection;

/// <summary>The first outcome of a submission, returned again to retries with the same submission id.</summary>
public readonly record struct SubmissionOutcome(string PlayerId, long Score, long Rank, long? PreviousRank, bool Changed, long Sequence);

/// <summary>
/// Per board: submission id -> first outcome, for the last <c>capacity</c> submissions that carried
/// an id (oldest forgotten first). Written by the log follower only, read by request threads, so
/// a lock guards it; the critical sections are a dictionary operation each.
/// </summary>
public sealed class IdempotencyWindow(int capacity, int expected = 0)
{
    readonly Dictionary<string, SubmissionOutcome> _outcomes = new(Math.Min(expected, capacity), StringComparer.Ordinal);
    readonly Queue<string> _order = new(Math.Min(expected, capacity));
    readonly Lock _gate = new();

    public bool TryGet(string submissionId, out SubmissionOutcome outcome)
    {
        lock (_gate) return _outcomes.TryGetValue(submissionId, out outcome);
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
