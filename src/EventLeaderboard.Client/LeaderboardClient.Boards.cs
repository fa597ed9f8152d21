using System.Net;
using System.Text.Json;
using EventLeaderboard.Client.Contracts;

namespace EventLeaderboard.Client;

public sealed partial class LeaderboardClient
{
    /// <summary>
    /// <c>PUT /v1/leaderboards/{boardId}</c> (admin): creates the board or updates its optional settings.
    /// Retry-safe: the same body gives the same board. A different sort order or update policy on an existing
    /// board throws <see cref="Problems.LeaderboardConflictException"/>.
    /// </summary>
    public async Task<BoardDefinitionOutcome> DefineBoardAsync(string boardId, BoardDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        using var request = NewRequest(HttpMethod.Put, $"v1/leaderboards/{Segment(boardId)}", retrySafe: true);
        request.Content = JsonBody(definition, Json.BoardDefinition);
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);

        // The contract fixes the status codes, not the body: read the board if the server sent one.
        Board? board = null;
        if (response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.OrdinalIgnoreCase) == true)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length > 0)
            {
                board = JsonSerializer.Deserialize(body, Json.Board);
            }
        }

        return new BoardDefinitionOutcome(response.StatusCode == HttpStatusCode.Created, board);
    }

    /// <summary><c>GET /v1/leaderboards</c>: every board.</summary>
    public Task<BoardList> ListBoardsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Get, "v1/leaderboards", retrySafe: true), Json.BoardList, cancellationToken);

    /// <summary><c>GET /v1/leaderboards/{boardId}</c>. Unknown board: <see cref="Problems.LeaderboardNotFoundException"/>.</summary>
    public Task<Board> GetBoardAsync(string boardId, ReadOptions? read = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            NewRequest(HttpMethod.Get, new QueryString($"v1/leaderboards/{Segment(boardId)}").Add(read).ToString(), retrySafe: true),
            Json.Board,
            cancellationToken);
}
