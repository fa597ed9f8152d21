using System.Text;
using System.Text.Unicode;

namespace EventLeaderboard.Ranking;

/// <summary>Player ids at the API are strings; inside the engine they are UTF-8 bytes (1-128 bytes, no control characters).</summary>
internal static class PlayerIdCodec
{
    public const int MaxBytes = 128;

    /// <summary>Big enough for any id whose UTF-16 length passes the first check (3 UTF-8 bytes per char at most).</summary>
    public const int BufferSize = MaxBytes * 3;

    /// <summary>Encodes a valid id into <paramref name="buffer"/>; false for an id that cannot be on a board.</summary>
    public static bool TryEncode(string playerId, Span<byte> buffer, out int length)
    {
        ArgumentNullException.ThrowIfNull(playerId);
        length = 0;
        if (playerId.Length is 0 or > MaxBytes) return false;
        foreach (char c in playerId)
        {
            if (char.IsControl(c)) return false;
        }
        if (Utf8.FromUtf16(playerId, buffer, out _, out length, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done) return false;
        return length <= MaxBytes;
    }

    /// <summary>Encodes an id or throws <see cref="ArgumentException"/> saying why it is not acceptable.</summary>
    public static int Encode(string playerId, Span<byte> buffer)
    {
        if (TryEncode(playerId, buffer, out int length)) return length;
        throw new ArgumentException(
            $"A player id must be 1-{MaxBytes} UTF-8 bytes of valid text without control characters.", nameof(playerId));
    }

    /// <summary>
    /// Decodes an id. Most ids are ASCII, where UTF-8 and Latin-1 agree and the Latin-1 decoder is a plain
    /// widening copy (no counting pass); anything else takes the UTF-8 decoder.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> utf8) =>
        Ascii.IsValid(utf8) ? Encoding.Latin1.GetString(utf8) : Encoding.UTF8.GetString(utf8);
}
