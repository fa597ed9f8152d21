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

/// <summary><c>?limit=10&amp;offset=0</c>: ranks offset+1 .. offset+limit (offset is a 0-based count of skipped entries).</summary>
public sealed record TopQuery(int Limit, long Offset, long? MinSequence, int WaitMs) : IConsistentRead
{
    public const int MaxLimit = 1000;

    public static TopQuery From(QueryParameters q) =>
        new(q.Int("limit") ?? 10, q.Long("offset") ?? 0, q.Long("minSequence"), q.Int("waitMs") ?? ConsistentReadValidator.DefaultWaitMs);

    public sealed class Validator : AbstractValidator<TopQuery>
    {
        public Validator()
        {
            RuleFor(x => x.Limit).InclusiveBetween(1, MaxLimit);
            RuleFor(x => x.Offset).GreaterThanOrEqualTo(0);
            Include(new ConsistentReadValidator());
        }
    }
}

public static class GetTopEndpoint
{
    [WolverineGet("/v1/leaderboards/{boardId}/top")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Get(string boardId, HttpContext context, IValidator<TopQuery> validator, ReadGate gate, LeaderboardProjection projection, AsOfQueries asOfQueries)
    {
        if (QueryValidation.Validate(context, TopQuery.From, validator, out var query) is { } invalid) return invalid;
        // ?asOf= answers from the events up to that instant, not from the live board.
        if (AsOfQueries.Requested(context, out var asOf, out var badAsOf))
            return badAsOf ?? await asOfQueries.TopAsync(boardId, asOf, query.Offset, query.Limit, context.RequestAborted);
        if (await gate.EnterAsync(query, context.RequestAborted) is { } unavailable) return unavailable;
        // Read the applied position first: the board can only be ahead of it, so it is a true lower bound.
        var sequence = projection.AppliedSequence;
        if (!projection.TryGetBoard(boardId, out var board)) return ProblemResult.BoardNotFound(boardId);
        var entries = board.Ranking.GetTop(query.Offset, query.Limit);
        return new TopResponse(boardId, board.Ranking.Count, sequence, entries);
    }
}

/// <summary><c>{ boardId, total, sequence, entries: [ { rank, playerId, score, metadata? } ] }</c>.</summary>
public sealed class TopResponse(string boardId, long total, long sequence, IReadOnlyList<RankedEntry> entries) : JsonResponse
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
