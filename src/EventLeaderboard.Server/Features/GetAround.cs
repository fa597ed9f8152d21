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

/// <summary><c>?above=10&amp;below=10</c> (each 0-500): better- and worse-ranked neighbours to include.</summary>
public sealed record AroundQuery(int Above, int Below, long? MinSequence, int WaitMs) : IConsistentRead
{
    public const int MaxNeighbours = 500;

    public static AroundQuery From(QueryParameters q) =>
        new(q.Int("above") ?? 10, q.Int("below") ?? 10, q.Long("minSequence"), q.Int("waitMs") ?? ConsistentReadValidator.DefaultWaitMs);

    public sealed class Validator : AbstractValidator<AroundQuery>
    {
        public Validator()
        {
            RuleFor(x => x.Above).InclusiveBetween(0, MaxNeighbours);
            RuleFor(x => x.Below).InclusiveBetween(0, MaxNeighbours);
            Include(new ConsistentReadValidator());
        }
    }
}

public static class GetAroundEndpoint
{
    [WolverineGet("/v1/leaderboards/{boardId}/players/{playerId}/around")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Get(string boardId, string playerId, HttpContext context, IValidator<AroundQuery> validator, ReadGate gate, LeaderboardProjection projection, AsOfQueries asOfQueries)
    {
        if (QueryValidation.Validate(context, AroundQuery.From, validator, out var query) is { } invalid) return invalid;
        if (AsOfQueries.Requested(context, out var asOf, out var badAsOf))
            return badAsOf ?? await asOfQueries.AroundAsync(boardId, playerId, asOf, query.Above, query.Below, context.RequestAborted);
        if (await gate.EnterAsync(query, context.RequestAborted) is { } unavailable) return unavailable;
        var sequence = projection.AppliedSequence;
        if (!projection.TryGetBoard(boardId, out var board)) return ProblemResult.BoardNotFound(boardId);
        var total = board.Ranking.Count;
        if (!board.Ranking.TryGetAround(playerId, query.Above, query.Below, out var entries)) return ProblemResult.PlayerNotFound(boardId, playerId);
        return new EntriesResponse(boardId, total, sequence, entries);
    }
}

/// <summary><c>{ boardId, total, sequence, entries }</c>.</summary>
public sealed class EntriesResponse(string boardId, long total, long sequence, IReadOnlyList<RankedEntry> entries) : JsonResponse
{
    protected override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("boardId", boardId);
        writer.WriteNumber("total", total);
        writer.WriteNumber("sequence", sequence);
        WriteEntries(writer, entries);
        writer.WriteEndObject();
    }
}
