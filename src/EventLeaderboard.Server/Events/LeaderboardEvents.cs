using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventLeaderboard.Server.Events;

// The events of the log, past tense, as Marten stores them (jsonb in mt_events.data) and as the
// log follower reads them back. Stored JSON is part of the persisted format: property names are
// append-only; never rename one. Score items use short names because they are written ~100,000
// times a second and PostgreSQL parses every byte (see docs/architecture.md).

/// <summary>
/// A group of submitted scores committed together. Item <c>i</c> has log position
/// <c>seq_id * 1024 + i</c> (see <see cref="Ingest.LogPosition"/>), so each score stays
/// individually addressable for audit. At most <see cref="Ingest.LogPosition.ItemsPerEvent"/> items.
/// </summary>
public sealed record ScoresSubmitted(
    [property: JsonPropertyName("at")] DateTimeOffset SubmittedAt,
    [property: JsonPropertyName("items")] ScoreItem[] Items);

/// <summary>One submitted score: the raw submission, not its outcome (outcomes are derived by replay).</summary>
/// <param name="BoardId">Board the score was submitted to.</param>
/// <param name="PlayerId">The player.</param>
/// <param name="Value">The submitted value (for increment boards, the amount added).</param>
/// <param name="SubmissionId">Client idempotency key, if any.</param>
/// <param name="Metadata">JSON object kept with the entry when the submission changes it.</param>
/// <param name="SubmittedBy">Name of the API key that sent it.</param>
public sealed record ScoreItem(
    [property: JsonPropertyName("b")] string BoardId,
    [property: JsonPropertyName("p")] string PlayerId,
    [property: JsonPropertyName("v")] long Value,
    [property: JsonPropertyName("s"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SubmissionId,
    [property: JsonPropertyName("m"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Metadata,
    [property: JsonPropertyName("by")] string SubmittedBy);

/// <summary>A moderator removed a player from a board; the history stays in the log.</summary>
public sealed record PlayerRemoved(string BoardId, string PlayerId, string RemovedBy, DateTimeOffset RemovedAt);

/// <summary>
/// A board was created. <c>SortOrder</c>/<c>UpdatePolicy</c> use the API's names ("descending", "best", ...).
/// <c>TopN</c> is null when the request omitted it (events written before this was nullable always
/// carry a number): a definition that loses a race to another one is applied as an update, and an
/// omitted field must then keep the stored value instead of resetting it to the default.
/// </summary>
public sealed record BoardDefined(
    string BoardId, string SortOrder, string UpdatePolicy, long? MinScore, long? MaxScore, int? TopN,
    string? DisplayName, string DefinedBy, DateTimeOffset DefinedAt);

/// <summary>A board's settings changed; null fields keep their values.</summary>
public sealed record BoardUpdated(
    string BoardId, long? MinScore, long? MaxScore, int? TopN, string? DisplayName,
    string UpdatedBy, DateTimeOffset UpdatedAt);

/// <summary>Marten's type names for the events (mt_events.type); persisted, never change one.</summary>
public static class EventTypeNames
{
    public const string ScoresSubmitted = "scores_submitted";
    public const string PlayerRemoved = "player_removed";
    public const string BoardDefined = "board_defined";
    public const string BoardUpdated = "board_updated";
}

/// <summary>The serializer settings shared by Marten (writing) and the log follower (reading).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ScoresSubmitted))]
[JsonSerializable(typeof(PlayerRemoved))]
[JsonSerializable(typeof(BoardDefined))]
[JsonSerializable(typeof(BoardUpdated))]
internal sealed partial class EventJsonContext : JsonSerializerContext;
