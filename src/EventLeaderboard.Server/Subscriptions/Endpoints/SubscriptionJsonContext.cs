using System.Text.Json.Serialization;

namespace EventLeaderboard.Server.Subscriptions.Endpoints;

/// <summary>Source-generated readers for the subscription request bodies.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(DefineGroup))]
[JsonSerializable(typeof(ReadMessages))]
[JsonSerializable(typeof(AckMessages))]
[JsonSerializable(typeof(ResetGroup))]
internal sealed partial class SubscriptionJsonContext : JsonSerializerContext;
