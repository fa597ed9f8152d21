using EventLeaderboard.Client.Contracts;

namespace EventLeaderboard.Client;

public sealed partial class LeaderboardClient
{
    /// <summary>
    /// <c>GET .../players/{playerId}/history</c> (read): the player's events with a sequence greater than
    /// <paramref name="afterSequence"/> (exclusive; page with <see cref="PlayerHistory.NextAfterSequence"/>), at most
    /// <paramref name="limit"/> (1-1000, server default 100). A player the board never saw has no events; an unknown
    /// board is <see cref="Problems.LeaderboardNotFoundException"/>. <see cref="ReadOptions.AsOf"/> does not apply here.
    /// </summary>
    public Task<PlayerHistory> GetPlayerHistoryAsync(string boardId, string playerId, int? limit = null, long? afterSequence = null, ReadOptions? read = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            NewRequest(
                HttpMethod.Get,
                new QueryString($"v1/leaderboards/{Segment(boardId)}/players/{Segment(playerId)}/history")
                    .Add("limit", limit).Add("afterSequence", afterSequence)
                    .Add("minSequence", read?.MinSequence).Add("waitMs", read?.WaitMs).ToString(),
                retrySafe: true),
            Json.PlayerHistory,
            cancellationToken);

    /// <summary>
    /// <c>POST /v1/admin/leaderboards/{boardId}/verify</c> (admin): rebuilds the board from the event log alone and
    /// compares it with the live ranking. Expensive, so never retried automatically.
    /// </summary>
    public Task<VerificationReport> VerifyBoardAsync(string boardId, CancellationToken cancellationToken = default) =>
        SendAsync(
            NewRequest(HttpMethod.Post, $"v1/admin/leaderboards/{Segment(boardId)}/verify", retrySafe: false),
            Json.VerificationReport,
            cancellationToken);
}
