using System.Text.Json;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Ingest;
using EventLeaderboard.Server.Projection;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace EventLeaderboard.Server.History;

/// <summary><c>?limit=100&amp;afterSequence=0</c>: the events with a sequence strictly greater than afterSequence, at most limit.</summary>
public sealed record HistoryQuery(int Limit, long AfterSequence, long? MinSequence, int WaitMs) : IConsistentRead
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static HistoryQuery From(QueryParameters q) =>
        new(q.Int("limit") ?? DefaultLimit, q.Long("afterSequence") ?? 0, q.Long("minSequence"), q.Int("waitMs") ?? ConsistentReadValidator.DefaultWaitMs);

    public sealed class Validator : AbstractValidator<HistoryQuery>
    {
        public Validator()
        {
            RuleFor(x => x.Limit).InclusiveBetween(1, MaxLimit);
            RuleFor(x => x.AfterSequence).GreaterThanOrEqualTo(0);
            Include(new ConsistentReadValidator());
        }
    }
}

public static class GetPlayerHistoryEndpoint
{
    /// <summary>
    /// A player's events on a board in log order, from the history index. The answer covers every
    /// event up to the position the request needs (<c>minSequence</c> when given, else this node's
    /// applied position when the request started): when the index is not there yet it waits up to
    /// <c>waitMs</c>, then answers 503 with Retry-After, never a partial history. A player the board
    /// never saw has an empty history (removed players keep theirs).
    /// </summary>
    [WolverineGet("/v1/leaderboards/{boardId}/players/{playerId}/history")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Get(string boardId, string playerId, HttpContext context, IValidator<HistoryQuery> validator,
        ReadGate gate, LeaderboardProjection projection, HistoryFeed feed, HistoryReader reader, IOptions<IngestOptions> ingest)
    {
        if (QueryValidation.Validate(context, HistoryQuery.From, validator, out var query) is { } invalid) return invalid;
        if (!Validation.IsValidPlayerId(playerId)) return ProblemResult.Validation("playerId", Validation.PlayerIdMessage);
        var ct = context.RequestAborted;
        // Applied events are acknowledged before the follower publishes their page's position, so the
        // last observed one counts too: a read after a write's answer on this node then includes it.
        var needed = query.MinSequence ?? Math.Max(projection.AppliedSequence, feed.LastObservedPosition);
        // One waitMs budget for both waits (the node's position, then the index).
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (await gate.EnterAsync(query, ct) is { } unavailable) return unavailable;
        if (!projection.TryGetBoard(boardId, out _)) return ProblemResult.BoardNotFound(boardId);
        var neededSeqId = needed / LogPosition.ItemsPerEvent;
        var left = TimeSpan.FromMilliseconds(query.WaitMs) - System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var indexed = await reader.WaitForAsync(neededSeqId, left > TimeSpan.Zero ? left : TimeSpan.Zero, ct);
        if (indexed < neededSeqId)
            return ProblemResult.Unavailable(
                $"The history index reflects the log up to sequence {LogPosition.EndOf(indexed)}, not yet {needed}; retry later.",
                ingest.Value.RetryAfterSeconds);
        var events = await reader.PageAsync(boardId, playerId, query.AfterSequence, query.Limit, ct);
        return new HistoryResponse(events, LogPosition.EndOf(indexed), events.Count == query.Limit ? events[^1].Sequence : null);
    }
}

/// <summary>
/// <c>{ sequence, nextAfterSequence, events: [ { sequence, type, score, resultingScore, timestamp, submissionId, submittedBy } ] }</c>.
/// <c>sequence</c>: the history is complete up to this log position. <c>nextAfterSequence</c>: the
/// last event's sequence when the page is full (pass it as <c>afterSequence</c> for the next page), else null.
/// </summary>
public sealed class HistoryResponse(List<HistoryEntry> events, long sequence, long? nextAfterSequence) : JsonResponse
{
    protected override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("sequence", sequence);
        if (nextAfterSequence is { } next) writer.WriteNumber("nextAfterSequence", next);
        else writer.WriteNull("nextAfterSequence");
        writer.WriteStartArray("events");
        foreach (var e in events)
        {
            writer.WriteStartObject();
            writer.WriteNumber("sequence", e.Sequence);
            writer.WriteString("type", e.Kind == HistoryKind.PlayerRemoved ? "player.removed" : "score.submitted");
            WriteNullable(writer, "score", e.Score);
            WriteNullable(writer, "resultingScore", e.ResultingScore);
            writer.WriteString("timestamp", e.Timestamp);
            writer.WriteString("submissionId", e.SubmissionId);
            writer.WriteString("submittedBy", e.SubmittedBy);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    static void WriteNullable(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v) writer.WriteNumber(name, v);
        else writer.WriteNull(name);
    }
}
