using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Projection;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Features;

/// <summary>
/// <c>?minScore=&amp;maxScore=&amp;limit=100&amp;offset=0</c>: players with minScore &lt;= score &lt;= maxScore
/// (inclusive; an omitted bound is open), in board order.
/// </summary>
public sealed record RangeQuery(long MinScore, long MaxScore, int Limit, long Offset, long? MinSequence, int WaitMs) : IConsistentRead
{
    public static RangeQuery From(QueryParameters q) =>
        new(q.Long("minScore") ?? long.MinValue, q.Long("maxScore") ?? long.MaxValue, q.Int("limit") ?? 100, q.Long("offset") ?? 0,
            q.Long("minSequence"), q.Int("waitMs") ?? ConsistentReadValidator.DefaultWaitMs);

    public sealed class Validator : AbstractValidator<RangeQuery>
    {
        public Validator()
        {
            RuleFor(x => x.Limit).InclusiveBetween(1, TopQuery.MaxLimit);
            RuleFor(x => x.Offset).GreaterThanOrEqualTo(0);
            RuleFor(x => x.MaxScore).GreaterThanOrEqualTo(x => x.MinScore).WithMessage("Must be greater than or equal to minScore.");
            Include(new ConsistentReadValidator());
        }
    }
}

public static class GetRangeEndpoint
{
    [WolverineGet("/v1/leaderboards/{boardId}/range")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Get(string boardId, HttpContext context, IValidator<RangeQuery> validator, ReadGate gate, LeaderboardProjection projection)
    {
        if (QueryValidation.Validate(context, RangeQuery.From, validator, out var query) is { } invalid) return invalid;
        if (await gate.EnterAsync(query, context.RequestAborted) is { } unavailable) return unavailable;
        var sequence = projection.AppliedSequence;
        if (!projection.TryGetBoard(boardId, out var board)) return ProblemResult.BoardNotFound(boardId);
        var entries = board.Ranking.GetByScoreRange(query.MinScore, query.MaxScore, query.Offset, query.Limit, out var total);
        return new EntriesResponse(boardId, total, sequence, entries);
    }
}
