using System.Text.Json.Nodes;

namespace EventLeaderboard.Client.Contracts;

/// <summary>One score submission (single or batch item).</summary>
/// <param name="PlayerId">1-128 UTF-8 bytes, no control characters.</param>
/// <param name="Score">The submitted value; its meaning depends on the board's <see cref="UpdatePolicy"/>.</param>
public sealed record ScoreSubmission(string PlayerId, long Score)
{
    /// <summary>
    /// Idempotency key, 1-64 chars of <c>[A-Za-z0-9_.:-]</c>. A repeat on the same board appends nothing
    /// and returns the first outcome with <c>duplicate: true</c>. When null, <see cref="LeaderboardClient"/>
    /// generates one before the first attempt (see <see cref="LeaderboardClientOptions.GenerateSubmissionIds"/>),
    /// so that a retried request cannot be applied twice.
    /// </summary>
    public string? SubmissionId { get; init; }

    /// <summary>Optional JSON object (at most 1 KiB serialized) kept with the entry when the submission changes it.</summary>
    public JsonObject? Metadata { get; init; }
}

/// <summary>Body of <c>POST /v1/leaderboards/{boardId}/scores/batch</c>: 1-1000 items, applied in order, validated all or nothing.</summary>
public sealed record ScoreBatch(IReadOnlyList<ScoreSubmission> Scores);

/// <summary>Outcome of one submission, after it is durably committed.</summary>
/// <param name="Score">The player's resulting score on the board (not necessarily the submitted value).</param>
/// <param name="Rank">1-based rank right after this event was applied.</param>
/// <param name="PreviousRank">1-based rank before the event; null for a new (or re-added) player.</param>
/// <param name="Changed">True when the submission created the entry or changed its score.</param>
/// <param name="Duplicate">True when the submission id was seen before; the first outcome is returned.</param>
/// <param name="Sequence">The write's own position in the global log (use as <c>minSequence</c> for read-your-writes).</param>
public sealed record SubmissionResult(
    string PlayerId,
    long Score,
    long Rank,
    long? PreviousRank,
    bool Changed,
    bool Duplicate,
    long Sequence);

/// <summary>Answer of the batch endpoint: one result per item, in the order submitted.</summary>
public sealed record ScoreBatchResult(IReadOnlyList<SubmissionResult> Results);
