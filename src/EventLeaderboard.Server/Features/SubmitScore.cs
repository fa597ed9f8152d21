using System.Text.Json;
using System.Text.Json.Serialization;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Ingest;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Features;

/// <summary>Body of <c>POST /v1/leaderboards/{boardId}/scores</c>.</summary>
public sealed record SubmitScore(string? PlayerId, long? Score, string? SubmissionId, JsonElement? Metadata)
{
    /// <summary>
    /// One rule with plain checks rather than a rule per field: batches run it 1000 times per
    /// request, and per-field FluentValidation rules cost several microseconds per item there.
    /// </summary>
    public sealed class Validator : AbstractValidator<SubmitScore>
    {
        public Validator() => RuleFor(x => x).Custom((score, context) => Check(score, "", context));
    }

    /// <summary>Adds a failure per invalid field, keyed <c>prefix + field</c> (e.g. "scores[3].score").</summary>
    public static void Check<T>(SubmitScore? score, string prefix, ValidationContext<T> context)
    {
        if (score is null)
        {
            context.AddFailure(prefix.TrimEnd('.'), "Must be a score object.");
            return;
        }
        if (!Validation.IsValidPlayerId(score.PlayerId)) context.AddFailure(prefix + "playerId", Validation.PlayerIdMessage);
        if (score.Score is null) context.AddFailure(prefix + "score", "Required: a 64-bit integer.");
        if (score.SubmissionId is not null && !Validation.IsValidKey(score.SubmissionId)) context.AddFailure(prefix + "submissionId", Validation.KeyMessage);
        if (!Validation.IsValidMetadata(score.Metadata)) context.AddFailure(prefix + "metadata", Validation.MetadataMessage);
    }

    /// <summary>The same checks without reporting: the allocation-free fast path for valid items.</summary>
    public static bool IsValid(SubmitScore? score) =>
        score is not null && Validation.IsValidPlayerId(score.PlayerId) && score.Score is not null
        && (score.SubmissionId is null || Validation.IsValidKey(score.SubmissionId)) && Validation.IsValidMetadata(score.Metadata);

    public ScoreInput ToInput() => new(PlayerId!, Score!.Value, SubmissionId, Metadata is { ValueKind: JsonValueKind.Null } ? null : Metadata);
}

public static class SubmitScoreEndpoint
{
    [WolverinePost("/v1/leaderboards/{boardId}/scores")]
    [Authorize(Policy = Roles.Ingest)]
    public static async Task<IResult> Post(string boardId, HttpContext context, RequestBody body, IValidator<SubmitScore> validator, ScoreIngest ingest)
    {
        if (!Validation.IsValidKey(boardId)) return ProblemResult.Validation("boardId", Validation.KeyMessage);
        var (request, problem) = await body.ReadAsync(context, RequestJsonContext.Default.SubmitScore, validator);
        if (problem is not null) return problem;
        var (answers, failure) = await ingest.SubmitAsync(boardId, [request!.ToInput()], Submitter.Of(context), static _ => "", context.RequestAborted);
        return failure ?? (IResult)new ScoreAnswerResponse(answers![0]);
    }
}

/// <summary><c>{ playerId, score, rank, previousRank, changed, duplicate, sequence }</c>.</summary>
public sealed class ScoreAnswerResponse(ScoreAnswer answer) : JsonResponse
{
    protected override void Write(Utf8JsonWriter writer) => WriteAnswer(writer, answer);

    internal static void WriteAnswer(Utf8JsonWriter writer, in ScoreAnswer answer)
    {
        var o = answer.Outcome;
        writer.WriteStartObject();
        writer.WriteString("playerId", o.PlayerId);
        writer.WriteNumber("score", o.Score);
        writer.WriteNumber("rank", o.Rank);
        WriteNullableNumber(writer, "previousRank", o.PreviousRank);
        writer.WriteBoolean("changed", o.Changed);
        writer.WriteBoolean("duplicate", answer.Duplicate);
        writer.WriteNumber("sequence", o.Sequence);
        writer.WriteEndObject();
    }
}

/// <summary>Who sends a request: the API key's name, recorded in the events.</summary>
public static class Submitter
{
    public static string Of(HttpContext context) => context.User.Identity?.Name ?? "anonymous";
}
