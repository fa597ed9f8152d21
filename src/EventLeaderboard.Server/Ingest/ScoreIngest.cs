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
/// overflow) against the current settings, idempotency (the board's window and this node's
/// in-flight submissions, <see cref="IdempotencyWindow.Claim"/>), then the group-commit writer.
/// Either every item passes the checks and the request is appended as one unit, or nothing is appended.
/// </summary>
public sealed class ScoreIngest(LeaderboardProjection projection, GroupCommitWriter writer, IOptions<IngestOptions> options)
{
    readonly int _retryAfter = options.Value.RetryAfterSeconds;

    /// <param name="fieldPrefix">Error key prefix per item: <c>i => "scores[i]."</c> for batches, empty for single submissions.</param>
    public async Task<(ScoreAnswer[]? Answers, ProblemResult? Problem)> SubmitAsync(
        string boardId, IReadOnlyList<ScoreInput> inputs, string submittedBy, Func<int, string> fieldPrefix, CancellationToken ct)
    {
        if (!projection.IsReady) return (null, ReadGate.NotReady(_retryAfter));
        if (!projection.TryGetBoard(boardId, out var board)) return (null, ProblemResult.BoardNotFound(boardId));
        if (CheckAgainstBoard(board, inputs, fieldPrefix) is { } invalid) return (null, ProblemResult.Validation(invalid));

        var answers = new ScoreAnswer[inputs.Count];
        // What this request appends completes here, item k of it being inputs[mine[k]]; retries of
        // its ids in other requests (or later in this one) wait on it.
        var appended = new TaskCompletionSource<ScoreResult[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var mine = new List<int>(inputs.Count);
        List<string>? claimed = null;
        List<(int Index, SubmissionClaim Claim)>? waits = null;
        using (board.Submissions.ClaimScope())
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                if (inputs[i].SubmissionId is not { } sid) { mine.Add(i); continue; }
                switch (board.Submissions.Claim(sid, appended.Task, mine.Count, out var first, out var holder))
                {
                    case ClaimResult.Known:
                        answers[i] = new ScoreAnswer(first, true);
                        break;
                    case ClaimResult.InFlight:
                        (waits ??= []).Add((i, holder));
                        break;
                    default:
                        mine.Add(i);
                        (claimed ??= []).Add(sid);
                        break;
                }
            }
        }

        ProblemResult? problem = null;
        if (mine.Count > 0)
            problem = await AppendAsync(board, inputs, mine, claimed, appended, answers, submittedBy, ct);

        if (waits is not null)
        {
            foreach (var (index, claim) in waits)
            {
                try
                {
                    var first = (await claim.Results)[claim.Index];
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

    async Task<ProblemResult?> AppendAsync(BoardState board, IReadOnlyList<ScoreInput> inputs, List<int> mine, List<string>? claimed,
        TaskCompletionSource<ScoreResult[]> appended, ScoreAnswer[] answers, string submittedBy, CancellationToken ct)
    {
        var boardId = board.Config.BoardId;
        var items = new ScoreItem[mine.Count];
        for (var k = 0; k < mine.Count; k++)
        {
            var input = inputs[mine[k]];
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
            appended.TrySetException(e as CommitFailedException ?? new CommitFailedException("Not committed.", e));
            if (claimed is not null) board.Submissions.Release(claimed, appended.Task);
            return e switch
            {
                ServerStoppingException or OperationCanceledException => ProblemResult.Unavailable("The server is stopping.", _retryAfter),
                ApplyFailedException => ProblemResult.Unavailable(e.Message, _retryAfter),
                _ => CommitFailed(),
            };
        }

        // The follower is done with them: every applied item's outcome is in the window now, so the claims can go.
        appended.TrySetResult(results);
        if (claimed is not null) board.Submissions.Release(claimed, appended.Task);
        ProblemResult? problem = null;
        for (var k = 0; k < mine.Count; k++)
        {
            var result = results[k];
            answers[mine[k]] = new ScoreAnswer(result.Outcome, result.Kind == ScoreResultKind.Duplicate);
            problem ??= ProblemFor(result, boardId);
        }
        return problem;
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
