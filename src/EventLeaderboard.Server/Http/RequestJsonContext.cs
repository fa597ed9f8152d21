using System.Text.Json.Serialization;
using EventLeaderboard.Server.Features;

namespace EventLeaderboard.Server.Http;

/// <summary>Source-generated readers for request bodies (no reflection on the ingest path).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(SubmitScore))]
[JsonSerializable(typeof(SubmitScoreBatch))]
[JsonSerializable(typeof(DefineBoard))]
[JsonSerializable(typeof(LookupPlayers))]
internal sealed partial class RequestJsonContext : JsonSerializerContext;
