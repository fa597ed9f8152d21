using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventLeaderboard.Client.Contracts;

/// <summary>
/// Where a consumer group starts: the JSON string <c>"beginning"</c> or <c>"end"</c>, or a global sequence
/// number (inclusive: the event at that sequence is delivered).
/// </summary>
[JsonConverter(typeof(SubscriptionStartConverter))]
public readonly record struct SubscriptionStart
{
    private SubscriptionStart(string? keyword, long sequence) => (Keyword, Sequence) = (keyword, sequence);

    /// <summary><c>"beginning"</c> or <c>"end"</c>; null when <see cref="Sequence"/> is meant.</summary>
    public string? Keyword { get; }

    /// <summary>The inclusive start sequence when <see cref="Keyword"/> is null.</summary>
    public long Sequence { get; }

    /// <summary>From the first event in the log.</summary>
    public static SubscriptionStart Beginning { get; } = new("beginning", 0);

    /// <summary>Only events appended after the group is defined.</summary>
    public static SubscriptionStart End { get; } = new("end", 0);

    /// <summary>From the given global sequence, inclusive.</summary>
    public static SubscriptionStart At(long sequence) => new(null, sequence);

    /// <inheritdoc />
    public override string ToString() => Keyword ?? Sequence.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Writes <see cref="SubscriptionStart"/> as a JSON string keyword or a number, and reads either.</summary>
public sealed class SubscriptionStartConverter : JsonConverter<SubscriptionStart>
{
    /// <inheritdoc />
    public override SubscriptionStart Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return SubscriptionStart.At(reader.GetInt64());
        }

        var text = reader.GetString();
        return text switch
        {
            "beginning" => SubscriptionStart.Beginning,
            "end" => SubscriptionStart.End,
            _ when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => SubscriptionStart.At(n),
            _ => throw new JsonException($"startAt must be \"beginning\", \"end\" or a sequence number, not \"{text}\"."),
        };
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, SubscriptionStart value, JsonSerializerOptions options)
    {
        if (value.Keyword is { } keyword)
        {
            writer.WriteStringValue(keyword);
        }
        else
        {
            writer.WriteNumberValue(value.Sequence);
        }
    }
}
