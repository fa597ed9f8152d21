using System.Text.Json;

namespace EventLeaderboard.Server.Subscriptions.Endpoints;

/// <summary><c>startAt</c>: <c>"beginning"</c>, <c>"end"</c> or a log sequence (inclusive, a number ≥ 0).</summary>
public static class StartAt
{
    public const string Message = "Must be \"beginning\", \"end\" or a sequence number (an integer >= 0).";

    public static bool IsValid(JsonElement? value) => value is not { } v || TryParse(v, out _, out _);

    /// <summary><paramref name="keyword"/> is "beginning" or "end", else <paramref name="sequence"/> is meant.</summary>
    public static bool TryParse(JsonElement value, out string? keyword, out long sequence)
    {
        keyword = null;
        sequence = 0;
        switch (value.ValueKind)
        {
            case JsonValueKind.String when value.GetString() is "beginning" or "end":
                keyword = value.GetString();
                return true;
            case JsonValueKind.Number:
                return value.TryGetInt64(out sequence) && sequence >= 0;
            default:
                return false;
        }
    }

    /// <summary>The group start for a valid <c>startAt</c>; "end" means after everything this node has applied.</summary>
    public static GroupStart Resolve(JsonElement? value, long appliedSequence)
    {
        if (value is not { } v || !TryParse(v, out var keyword, out var sequence)) return GroupStart.After(appliedSequence / Ingest.LogPosition.ItemsPerEvent);
        return keyword switch
        {
            "beginning" => GroupStart.Beginning,
            "end" => GroupStart.After(appliedSequence / Ingest.LogPosition.ItemsPerEvent),
            _ => GroupStart.At(sequence),
        };
    }
}
