using System.Text.Json;
using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Audit;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Projection;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Features;

public static class GetPlayerEndpoint
{
    [WolverineGet("/v1/leaderboards/{boardId}/players/{playerId}")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Get(string boardId, string playerId, HttpContext context, IValidator<BoardQuery> validator, ReadGate gate, LeaderboardProjection projection, AsOfQueries asOfQueries)
    {
        if (QueryValidation.Validate(context, BoardQuery.From, validator, out var query) is { } invalid) return invalid;
        if (AsOfQueries.Requested(context, out var asOf, out var badAsOf))
            return badAsOf ?? await asOfQueries.PlayerAsync(boardId, playerId, asOf, context.RequestAborted);
        if (await gate.EnterAsync(query, context.RequestAborted) is { } unavailable) return unavailable;
        var sequence = projection.AppliedSequence;
        if (!projection.TryGetBoard(boardId, out var board)) return ProblemResult.BoardNotFound(boardId);
        var total = board.Ranking.Count;
        if (!board.Ranking.TryGet(playerId, out var entry)) return ProblemResult.PlayerNotFound(boardId, playerId);
        return new PlayerResponse(entry, Math.Max(total, entry.Rank), sequence);
    }
}

/// <summary><c>{ playerId, score, rank, total, topPercent, sequence, metadata? }</c>; topPercent = 100 * rank / total.</summary>
public sealed class PlayerResponse(RankedEntry entry, long total, long sequence) : JsonResponse
{
    protected override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("playerId", entry.PlayerId);
        writer.WriteNumber("score", entry.Score);
        writer.WriteNumber("rank", entry.Rank);
        writer.WriteNumber("total", total);
        writer.WriteNumber("topPercent", 100.0 * entry.Rank / total);
        writer.WriteNumber("sequence", sequence);
        WriteMetadata(writer, entry.Metadata);
        writer.WriteEndObject();
    }
}
