using EventLeaderboard.Client.Contracts;

namespace EventLeaderboard.Client;

public sealed partial class LeaderboardClient
{
    /// <summary>
    /// <c>DELETE .../players/{playerId}</c> (admin): the player leaves every ranking; the history stays.
    /// Not retried automatically: a repeat after a lost answer would report 404.
    /// </summary>
    public Task<PlayerRemoval> RemovePlayerAsync(string boardId, string playerId, CancellationToken cancellationToken = default) =>
        SendAsync(
            NewRequest(HttpMethod.Delete, $"v1/leaderboards/{Segment(boardId)}/players/{Segment(playerId)}", retrySafe: false),
            Json.PlayerRemoval,
            cancellationToken);
}
