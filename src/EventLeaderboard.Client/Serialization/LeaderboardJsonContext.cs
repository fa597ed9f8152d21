using System.Text.Json;
using System.Text.Json.Serialization;
using EventLeaderboard.Client.Contracts;

namespace EventLeaderboard.Client.Serialization;

/// <summary>
/// Source-generated System.Text.Json metadata for every contract type: camelCase names (web defaults),
/// nulls omitted on write so optional fields of PUT bodies keep the server's current values.
/// No reflection at run time, so the client is trimming and AOT friendly.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BoardDefinition))]
[JsonSerializable(typeof(Board))]
[JsonSerializable(typeof(BoardList))]
[JsonSerializable(typeof(ScoreSubmission))]
[JsonSerializable(typeof(ScoreBatch))]
[JsonSerializable(typeof(SubmissionResult))]
[JsonSerializable(typeof(ScoreBatchResult))]
[JsonSerializable(typeof(TopPage))]
[JsonSerializable(typeof(PlayerStanding))]
[JsonSerializable(typeof(EntryWindow))]
[JsonSerializable(typeof(PlayerLookup))]
[JsonSerializable(typeof(PlayerLookupResult))]
[JsonSerializable(typeof(PlayerRemoval))]
[JsonSerializable(typeof(PlayerHistory))]
[JsonSerializable(typeof(VerificationReport))]
[JsonSerializable(typeof(SubscriptionGroupDefinition))]
[JsonSerializable(typeof(ReadMessagesRequest))]
[JsonSerializable(typeof(MessageBatch))]
[JsonSerializable(typeof(AckRequest))]
[JsonSerializable(typeof(AckResult))]
[JsonSerializable(typeof(SubscriptionGroupStatus))]
[JsonSerializable(typeof(ResetSubscriptionRequest))]
[JsonSerializable(typeof(SubscriptionMessage))]
public sealed partial class LeaderboardJsonContext : JsonSerializerContext;
