using System.Globalization;
using EventLeaderboard.Server.Features;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Ingest;

namespace EventLeaderboard.Server.Audit;

/// <summary>
/// The <c>asOf</c> variants of top, player and around: same answers, computed from the events up
/// to the instant (<c>sequence</c> is the log position they reflect). A board that did not exist
/// yet at the instant is 404, like an unknown board; the node's readiness does not matter, since
/// nothing here reads the live projection.
/// </summary>
public sealed class AsOfQueries(AsOfBoards boards)
{
    /// <summary>
    /// Reads <c>?asOf=</c>: false when absent. An ISO-8601 instant with an offset or Z
    /// (e.g. <c>2026-11-26T03:00:00Z</c>); anything else is a 400 in <paramref name="invalid"/>.
    /// </summary>
    public static bool Requested(HttpContext context, out DateTimeOffset asOf, out ProblemResult? invalid)
    {
        asOf = default;
        invalid = null;
        if (!MayHaveAsOf(context.Request.QueryString) || !context.Request.Query.TryGetValue("asOf", out var values)) return false;
        if (values.Count != 1 || !DateTimeOffset.TryParse(values[0], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out asOf)
            || !HasOffset(values[0]!))
            invalid = ProblemResult.Validation("asOf", "Must be an ISO-8601 instant with a time zone, e.g. 2026-01-31T12:00:00Z.");
        return true;
    }

    /// <summary>
    /// Cheap pre-check on the raw query string, so live reads do not parse the query collection (a
    /// dictionary per request) only to find no asOf. Keys match case-insensitively after URL-decoding,
    /// so without a '%' the key can only be there as the letters "asof" in some case.
    /// </summary>
    static bool MayHaveAsOf(QueryString query) =>
        query.Value is { Length: > 0 } raw && (raw.Contains('%') || raw.Contains("asof", StringComparison.OrdinalIgnoreCase));

    static bool HasOffset(string text) => text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    public async Task<IResult> TopAsync(string boardId, DateTimeOffset asOf, long offset, int limit, CancellationToken ct)
    {
        var built = await boards.AtAsync(boardId, asOf, ct);
        if (built.Board is not { } board) return ProblemResult.BoardNotFound(boardId);
        return new TopResponse(boardId, board.Ranking.Count, LogPosition.EndOf(built.SeqId), board.Ranking.GetTop(offset, limit));
    }

    public async Task<IResult> PlayerAsync(string boardId, string playerId, DateTimeOffset asOf, CancellationToken ct)
    {
        var built = await boards.AtAsync(boardId, asOf, ct);
        if (built.Board is not { } board) return ProblemResult.BoardNotFound(boardId);
        if (!board.Ranking.TryGet(playerId, out var entry)) return ProblemResult.PlayerNotFound(boardId, playerId);
        return new PlayerResponse(entry, Math.Max(board.Ranking.Count, entry.Rank), LogPosition.EndOf(built.SeqId));
    }

    public async Task<IResult> AroundAsync(string boardId, string playerId, DateTimeOffset asOf, int above, int below, CancellationToken ct)
    {
        var built = await boards.AtAsync(boardId, asOf, ct);
        if (built.Board is not { } board) return ProblemResult.BoardNotFound(boardId);
        if (!board.Ranking.TryGetAround(playerId, above, below, out var entries)) return ProblemResult.PlayerNotFound(boardId, playerId);
        return new EntriesResponse(boardId, board.Ranking.Count, LogPosition.EndOf(built.SeqId), entries);
    }
}
