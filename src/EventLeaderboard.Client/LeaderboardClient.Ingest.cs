using EventLeaderboard.Client.Contracts;

namespace EventLeaderboard.Client;

public sealed partial class LeaderboardClient
{
    /// <summary>
    /// <c>POST /v1/leaderboards/{boardId}/scores</c> (ingest). Answers only after the event is durably committed.
    /// A missing <see cref="ScoreSubmission.SubmissionId"/> is generated here, once, before the first attempt,
    /// so the request is retry-safe.
    /// </summary>
    public Task<SubmissionResult> SubmitScoreAsync(string boardId, ScoreSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var body = WithSubmissionId(submission);
        var request = NewRequest(HttpMethod.Post, $"v1/leaderboards/{Segment(boardId)}/scores", retrySafe: body.SubmissionId is not null);
        request.Content = JsonBody(body, Json.ScoreSubmission);
        return SendAsync(request, Json.SubmissionResult, cancellationToken);
    }

    /// <summary>
    /// <c>POST /v1/leaderboards/{boardId}/scores/batch</c> (ingest): 1-1000 submissions, validated all or nothing,
    /// applied in order; results come back in the same order. Missing submission ids are generated as for
    /// <see cref="SubmitScoreAsync"/>; the batch is retry-safe only when every item has one.
    /// </summary>
    public Task<ScoreBatchResult> SubmitScoresAsync(string boardId, IReadOnlyList<ScoreSubmission> scores, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var items = new ScoreSubmission[scores.Count];
        var allIdentified = true;
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = WithSubmissionId(scores[i]);
            allIdentified &= items[i].SubmissionId is not null;
        }

        var request = NewRequest(HttpMethod.Post, $"v1/leaderboards/{Segment(boardId)}/scores/batch", retrySafe: allIdentified);
        request.Content = JsonBody(new ScoreBatch(items), Json.ScoreBatch);
        return SendAsync(request, Json.ScoreBatchResult, cancellationToken);
    }

    private ScoreSubmission WithSubmissionId(ScoreSubmission submission) =>
        submission.SubmissionId is null && _options.GenerateSubmissionIds
            ? submission with { SubmissionId = _options.SubmissionIdFactory() }
            : submission;
}
