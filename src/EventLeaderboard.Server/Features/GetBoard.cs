using System.Text.Json;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Projection;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Features;

/// <summary>Query of the board reads: only the read-your-writes parameters.</summary>
public sealed record BoardQuery(long? MinSequence, int WaitMs) : IConsistentRead
{
    public static BoardQuery From(QueryParameters query) => new(query.Long("minSequence"), query.Int("waitMs") ?? ConsistentReadValidator.DefaultWaitMs);

    public sealed class Validator : AbstractValidator<BoardQuery>
    {
        public Validator() => Include(new ConsistentReadValidator());
    }
}

public static class GetBoardEndpoint
{
    [WolverineGet("/v1/leaderboards/{boardId}")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Get(string boardId, HttpContext context, IValidator<BoardQuery> validator, ReadGate gate, LeaderboardProjection projection)
    {
        if (QueryValidation.Validate(context, BoardQuery.From, validator, out var query) is { } invalid) return invalid;
        if (await gate.EnterAsync(query, context.RequestAborted) is { } unavailable) return unavailable;
        var sequence = projection.AppliedSequence;
        if (!projection.TryGetBoard(boardId, out var board)) return ProblemResult.BoardNotFound(boardId);
        return new BoardResponse(board.Config, board.Ranking.Count, sequence);
    }
}

public static class ListBoardsEndpoint
{
    [WolverineGet("/v1/leaderboards")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Get(HttpContext context, IValidator<BoardQuery> validator, ReadGate gate, LeaderboardProjection projection)
    {
        if (QueryValidation.Validate(context, BoardQuery.From, validator, out var query) is { } invalid) return invalid;
        if (await gate.EnterAsync(query, context.RequestAborted) is { } unavailable) return unavailable;
        var sequence = projection.AppliedSequence;
        var boards = projection.Boards.OrderBy(b => b.Config.BoardId, StringComparer.Ordinal).ToList();
        return new BoardListResponse(boards, sequence);
    }
}

/// <summary><c>{ items: [ board... ], sequence }</c>, ordered by board id.</summary>
public sealed class BoardListResponse(List<BoardState> boards, long sequence) : JsonResponse
{
    protected override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("items");
        foreach (var board in boards)
        {
            BoardResponse.WriteBoard(writer, board.Config, board.Ranking.Count);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteNumber("sequence", sequence);
        writer.WriteEndObject();
    }
}
