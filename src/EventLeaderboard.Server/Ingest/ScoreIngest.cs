using System.Collections.Concurrent;
using System.Text.Json;
using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Projection;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Ingest;

/// <summary>One score as a client submitted it (already shape-validated).</summary>
public readonly record struct ScoreInput(string PlayerId, long Score, string? SubmissionId, JsonElement? Metadata);

/// <summary>One score's answer: <c>{ playerId, score, rank, previousRank, changed, duplicate, sequence }</c>.</summary>
public readonly record struct ScoreAnswer(SubmissionOutcome Outcome, bool Duplicate);

/// <summary>
/// The shared path of single and batch submissions: board-level checks (bounds, increment
/// overflow) against the current settings, idempotency (the board's window, then this node's
/// in-flight submissions), then the group-commit writer. Either every item passes the checks and
/// the request is appended as one unit, or nothing is appended.
/// </summary>
public sealed class ScoreIngest(LeaderboardProjection projection, GroupCommitWriter writer, IOptions<IngestOptions> options)
{
    readonly ConcurrentDictionary<(string Board, string Submission), TaskCompletionSource<ScoreResult>> _inFlight = new();
    readonly int _retryAfter = options.Value.RetryAfterSeconds;

    /// <param name="fieldPrefix">Error key prefix per item: <c>i => "scores[i]."</c> for batches, empty for single submissions.</param>
    public async Task<(ScoreAnswer[]? Answers, ProblemResult? Problem)> SubmitAsync(
        string boardId, IReadOnlyList<ScoreInput> inputs, string submittedBy, Func<int, string> fieldPrefix, CancellationToken ct)
    {
        if (!projection.IsReady) return (null, ReadGate.NotReady(_retryAfter));
        if (!projection.TryGetBoard(boardId, out var board)) return (null, ProblemResult.BoardNotFound(boardId));
        if (CheckAgainstBoard(board, inputs, fieldPrefix) is { } invalid) return (null, ProblemResult.Validation(invalid));

        var answers = new ScoreAnswer[inputs.Count];
        var known = new bool[inputs.Count];
        List<(int Index, Task<ScoreResult> Task)>? waits = null;
        var mine = new List<(int Index, TaskCompletionSource<ScoreResult>? InFlight)>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].SubmissionId is not { } sid) { mine.Add((i, null)); continue; }
            if (board.Submissions.TryGet(sid, out var first)) { answers[i] = new ScoreAnswer(first, true); known[i] = true; continue; }
            var tcs = new TaskCompletionSource<ScoreResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            var current = _inFlight.GetOrAdd((boardId, sid), tcs);
            if (!ReferenceEquals(current, tcs)) { (waits ??= []).Add((i, current.Task)); continue; }
            // Between the window check above and claiming the id, an earlier request with this id may
            // have been applied and left the in-flight set: check again, or it would be appended twice.
            if (board.Submissions.TryGet(sid, out first))
            {
                answers[i] = new ScoreAnswer(first, true);
                known[i] = true;
                _inFlight.TryRemove(new KeyValuePair<(string, string), TaskCompletionSource<ScoreResult>>((boardId, sid), tcs));
                tcs.TrySetResult(new ScoreResult(ScoreResultKind.Duplicate, first));
                continue;
            }
            mine.Add((i, tcs));
        }

        ProblemResult? problem = null;
        if (mine.Count > 0)
            problem = await AppendAsync(boardId, inputs, mine, answers, submittedBy, ct);

        if (waits is not null)
        {
            foreach (var (index, task) in waits)
            {
                try
                {
                    var first = await task;
                    answers[index] = new ScoreAnswer(first.Outcome, true);
                    problem ??= ProblemFor(first, boardId);
                }
                catch (CommitFailedException e)
                {
                    problem ??= e is ApplyFailedException ? ProblemResult.Unavailable(e.Message, _retryAfter) : CommitFailed();
                }
            }
        }
        return problem is null ? (answers, null) : (null, problem);
    }

    async Task<ProblemResult?> AppendAsync(string boardId, IReadOnlyList<ScoreInput> inputs,
        List<(int Index, TaskCompletionSource<ScoreResult>? InFlight)> mine, ScoreAnswer[] answers, string submittedBy, CancellationToken ct)
    {
        var items = new ScoreItem[mine.Count];
        for (var k = 0; k < mine.Count; k++)
        {
            var input = inputs[mine[k].Index];
            items[k] = new ScoreItem(boardId, input.PlayerId, input.Score, input.SubmissionId, input.Metadata, submittedBy);
        }
        var submission = new ScoreSubmission(items);
        ScoreResult[] results;
        try
        {
            // The request is not cancelled once queued: abandoning it would not un-append it.
            await writer.EnqueueAsync(submission, ct);
            results = await submission.Completion;
        }
        catch (Exception e)
        {
            var failure = e as CommitFailedException ?? new CommitFailedException("Not committed.", e);
            foreach (var (_, inFlight) in mine) inFlight?.TrySetException(failure);
            ForgetInFlight(boardId, inputs, mine);
            return e switch
            {
                ServerStoppingException or OperationCanceledException => ProblemResult.Unavailable("The server is stopping.", _retryAfter),
                ApplyFailedException => ProblemResult.Unavailable(e.Message, _retryAfter),
                _ => CommitFailed(),
            };
        }

        ProblemResult? problem = null;
        for (var k = 0; k < mine.Count; k++)
        {
            var (index, inFlight) = mine[k];
            var result = results[k];
            answers[index] = new ScoreAnswer(result.Outcome, result.Kind == ScoreResultKind.Duplicate);
            problem ??= ProblemFor(result, boardId);
            inFlight?.TrySetResult(result);
        }
        ForgetInFlight(boardId, inputs, mine);
        return problem;
    }

    void ForgetInFlight(string boardId, IReadOnlyList<ScoreInput> inputs, List<(int Index, TaskCompletionSource<ScoreResult>? InFlight)> mine)
    {
        foreach (var (index, inFlight) in mine)
            if (inFlight is not null)
                _inFlight.TryRemove(KeyValuePair.Create((boardId, inputs[index].SubmissionId!), inFlight));
    }

    /// <summary>
    /// Bounds and, for increment boards, overflow of the running total (several items of one batch
    /// may add to the same player). Checked against the state now; a concurrent change that makes an
    /// increment overflow at apply time leaves the board unchanged on every node (see ProblemFor).
    /// </summary>
    static Dictionary<string, string[]>? CheckAgainstBoard(BoardState board, IReadOnlyList<ScoreInput> inputs, Func<int, string> fieldPrefix)
    {
        var config = board.Config;
        Dictionary<string, string[]>? errors = null;
        Dictionary<string, long>? totals = config.UpdatePolicy == UpdatePolicy.Increment ? new(StringComparer.Ordinal) : null;
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (!config.Accepts(input.Score))
            {
                (errors ??= [])[fieldPrefix(i) + "score"] = [$"Must be within [{config.MinScore?.ToString() ?? "-inf"}, {config.MaxScore?.ToString() ?? "+inf"}] on this leaderboard."];
                continue;
            }
            if (totals is null) continue;
            if (!totals.TryGetValue(input.PlayerId, out var total))
                total = board.Ranking.TryGet(input.PlayerId, out var entry) ? entry.Score : 0;
            try
            {
                totals[input.PlayerId] = checked(total + input.Score);
            }
            catch (OverflowException)
            {
                (errors ??= [])[fieldPrefix(i) + "score"] = ["Adding this value would overflow the player's 64-bit score."];
            }
        }
        return errors;
    }

    ProblemResult? ProblemFor(ScoreResult result, string boardId) => result.Kind switch
    {
        ScoreResultKind.Overflow => new ProblemResult(StatusCodes.Status409Conflict, "Score overflow",
            "A concurrent submission changed the score; adding this value now overflows a 64-bit score. The board is unchanged for this item."),
        ScoreResultKind.UnknownBoard => ProblemResult.BoardNotFound(boardId),
        ScoreResultKind.Rejected => ProblemResult.Validation("playerId", Validation.PlayerIdMessage),
        _ => null,
    };

    ProblemResult CommitFailed() =>
        ProblemResult.Unavailable("The event store did not commit the submission; nothing of it was recorded. Retry with the same submissionId.", _retryAfter);
}
