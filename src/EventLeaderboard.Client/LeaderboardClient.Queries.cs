using EventLeaderboard.Client.Contracts;

namespace EventLeaderboard.Client;

// Query parameters left null are not sent, so the server's defaults (limit 10, above/below 10, ...) apply.
public sealed partial class LeaderboardClient
{
    /// <summary><c>GET .../top</c> (read): entries from 0-based <paramref name="offset"/>, at most <paramref name="limit"/> (1-1000).</summary>
    public Task<TopPage> GetTopAsync(string boardId, int? limit = null, int? offset = null, ReadOptions? read = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            NewRequest(
                HttpMethod.Get,
                new QueryString($"v1/leaderboards/{Segment(boardId)}/top").Add("limit", limit).Add("offset", offset).Add(read).ToString(),
                retrySafe: true),
            Json.TopPage,
            cancellationToken);

    /// <summary><c>GET .../players/{playerId}</c> (read). Unknown player or board: <see cref="Problems.LeaderboardNotFoundException"/>.</summary>
    public Task<PlayerStanding> GetPlayerAsync(string boardId, string playerId, ReadOptions? read = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            NewRequest(
                HttpMethod.Get,
                new QueryString($"v1/leaderboards/{Segment(boardId)}/players/{Segment(playerId)}").Add(read).ToString(),
                retrySafe: true),
            Json.PlayerStanding,
            cancellationToken);

    /// <summary>
    /// <c>GET .../players/{playerId}/around</c> (read): up to <paramref name="above"/> and <paramref name="below"/>
    /// (each 0-500) neighbours and the player, clipped (not shifted) at the ends of the board.
    /// </summary>
    public Task<EntryWindow> GetAroundAsync(string boardId, string playerId, int? above = null, int? below = null, ReadOptions? read = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            NewRequest(
                HttpMethod.Get,
                new QueryString($"v1/leaderboards/{Segment(boardId)}/players/{Segment(playerId)}/around")
                    .Add("above", above).Add("below", below).Add(read).ToString(),
                retrySafe: true),
            Json.EntryWindow,
            cancellationToken);

    /// <summary>
    /// <c>GET .../range</c> (read): players whose score is within the inclusive bounds (either may be omitted),
    /// in board order; <see cref="EntryWindow.Total"/> counts the players in the range.
    /// </summary>
    public Task<EntryWindow> GetRangeAsync(string boardId, long? minScore = null, long? maxScore = null, int? limit = null, int? offset = null, ReadOptions? read = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            NewRequest(
                HttpMethod.Get,
                new QueryString($"v1/leaderboards/{Segment(boardId)}/range")
                    .Add("minScore", minScore).Add("maxScore", maxScore).Add("limit", limit).Add("offset", offset).Add(read).ToString(),
                retrySafe: true),
            Json.EntryWindow,
            cancellationToken);

    /// <summary>
    /// <c>POST .../players/lookup</c> (read): 1-1000 player ids (friends leaderboards); the known ones in rank
    /// order, the rest in <see cref="PlayerLookupResult.Missing"/>. Retry-safe (it only reads).
    /// </summary>
    public Task<PlayerLookupResult> LookupPlayersAsync(string boardId, IReadOnlyList<string> playerIds, ReadOptions? read = null, CancellationToken cancellationToken = default)
    {
        var request = NewRequest(
            HttpMethod.Post,
            new QueryString($"v1/leaderboards/{Segment(boardId)}/players/lookup").Add(read).ToString(),
            retrySafe: true);
        request.Content = JsonBody(new PlayerLookup(playerIds), Json.PlayerLookup);
        return SendAsync(request, Json.PlayerLookupResult, cancellationToken);
    }
}
