using System.Text.Json;

namespace EventLeaderboard.Server.Events;

/// <summary>The items of one <see cref="ScoresSubmitted"/> that concern one board, with their index in the event.</summary>
/// <param name="Items">The items, in event order.</param>
/// <param name="Indexes">Item <c>k</c> was at index <c>Indexes[k]</c> of the event (its log position is <c>seq_id * 1024 + index</c>).</param>
/// <param name="Count">How many of the arrays are used.</param>
public readonly record struct ScoreBatch(ScoreItem[] Items, int[] Indexes, int Count);

/// <summary>
/// Reads a stored <see cref="ScoresSubmitted"/> (mt_events.data as UTF-8 bytes) with one
/// <see cref="Utf8JsonReader"/> pass, for replays: items of other boards are skipped without
/// building anything, and the strings every item repeats (board id, submitter) are allocated once
/// per event instead of once per item (replay CPU fell by about a quarter, docs/operations.md). It
/// produces exactly what the source-generated deserializer does for the items it keeps
/// (escapes, metadata objects, unknown properties skipped).
/// </summary>
public static class ScoreBatchReader
{
    /// <param name="json">The event's JSON.</param>
    /// <param name="boardId">Keep only this board's items; null keeps every item.</param>
    /// <exception cref="JsonException">Malformed JSON or a missing required property.</exception>
    public static ScoreBatch Read(ReadOnlySpan<byte> json, string? boardId)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        ScoreItem[] items = [];
        int[] indexes = [];
        var count = 0;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("items"u8))
            {
                Next(ref reader);
                reader.Skip();
                continue;
            }
            Expect(ref reader, JsonTokenType.StartArray);
            string? lastBoard = null;
            string? lastBy = null;
            var index = 0;
            while (Next(ref reader) == JsonTokenType.StartObject)
            {
                if (ReadItem(ref reader, boardId, ref lastBoard, ref lastBy) is { } item)
                {
                    if (count == items.Length)
                    {
                        Array.Resize(ref items, Math.Max(16, count * 2));
                        Array.Resize(ref indexes, items.Length);
                    }
                    items[count] = item;
                    indexes[count++] = index;
                }
                index++;
            }
            if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException("Bad items array.");
        }
        return new ScoreBatch(items, indexes, count);
    }

    /// <summary>Reads one item (reader on its StartObject, left on its EndObject); null when it is another board's.</summary>
    static ScoreItem? ReadItem(ref Utf8JsonReader reader, string? boardId, ref string? lastBoard, ref string? lastBy)
    {
        string? board = null, player = null, submission = null, by = null;
        long? value = null;
        JsonElement? metadata = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var key = Key(ref reader);
            Next(ref reader);
            switch (key)
            {
                case 'b':
                    if (boardId is not null && !reader.ValueTextEquals(boardId))
                    {
                        SkipRest(ref reader);
                        return null;
                    }
                    board = boardId ?? Reuse(ref reader, ref lastBoard);
                    break;
                case 'p': player = reader.GetString(); break;
                case 'v': value = reader.GetInt64(); break;
                case 's': submission = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); break;
                case 'y': by = Reuse(ref reader, ref lastBy); break;
                case 'm': metadata = reader.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        if (board is null || player is null || value is null || by is null) throw new JsonException("A score item lacks b, p, v or by.");
        return new ScoreItem(board, player, value.Value, submission, metadata, by);
    }

    /// <summary>Which item property the reader is on: its one-letter name, 'y' for "by", '\0' for any other.</summary>
    static char Key(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("p"u8)) return 'p';
        if (reader.ValueTextEquals("v"u8)) return 'v';
        if (reader.ValueTextEquals("b"u8)) return 'b';
        if (reader.ValueTextEquals("by"u8)) return 'y';
        if (reader.ValueTextEquals("s"u8)) return 's';
        if (reader.ValueTextEquals("m"u8)) return 'm';
        return '\0';
    }

    /// <summary>The current string value, reusing <paramref name="last"/> when it is the same text.</summary>
    static string Reuse(ref Utf8JsonReader reader, ref string? last)
    {
        if (last is not null && reader.ValueTextEquals(last)) return last;
        return last = reader.GetString() ?? throw new JsonException("Null where a string is required.");
    }

    /// <summary>Skips the rest of the current item (reader on a value inside it), leaving the reader on its EndObject.</summary>
    static void SkipRest(ref Utf8JsonReader reader)
    {
        reader.Skip();
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            Next(ref reader);
            reader.Skip();
        }
    }

    static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("Unexpected end of a score event.");

    static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type) throw new JsonException($"Expected {type} in a score event.");
    }
}
