using System.Buffers.Binary;
using System.IO.Hashing;

namespace EventLeaderboard.Ranking;

/// <summary>Reads a snapshot through a buffer while hashing what it consumed; any shortfall is a truncation.</summary>
internal sealed class SnapshotReader
{
    private const int BufferSize = 1 << 16;
    private readonly Stream _source;
    private readonly XxHash64 _hash = new();
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _position;
    private int _end;
    private int _hashedUpTo;
    private readonly long? _declaredLength;
    private long _readFromSource;

    /// <param name="declaredLength">The source's length when it cannot seek but the caller knows it (see <see cref="RankingBoard.ReadSnapshot(Stream, long?)"/>).</param>
    public SnapshotReader(Stream source, long? declaredLength = null)
    {
        _source = source;
        _declaredLength = declaredLength;
    }

    /// <summary>Returns the next <paramref name="count"/> bytes (count &lt;= 4 KiB); valid until the next read.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Ensure(count);
        var span = new ReadOnlySpan<byte>(_buffer, _position, count);
        _position += count;
        return span;
    }

    public byte ReadByte()
    {
        Ensure(1);
        return _buffer[_position++];
    }

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2));

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_position == _end) Ensure(1);
            byte b = _buffer[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (shift == 63 && b > 1) throw new SnapshotFormatException("Corrupt snapshot: a varint overflows 64 bits.");
                return result;
            }
        }
        throw new SnapshotFormatException("Corrupt snapshot: a varint is longer than 10 bytes.");
    }

    /// <summary>Reads the trailing checksum and compares it with the hash of everything read before it.</summary>
    public void VerifyChecksum()
    {
        HashConsumed();
        ulong expected = _hash.GetCurrentHashAsUInt64();
        ulong actual = BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));
        if (actual != expected) throw new SnapshotFormatException("Corrupt snapshot: the checksum does not match its content.");
    }

    /// <summary>Bytes left in the source when it can tell (seekable, or its length declared); null otherwise.</summary>
    public long? Remaining =>
        _source.CanSeek ? _source.Length - _source.Position + (_end - _position)
        : _declaredLength is { } length ? length - _readFromSource + (_end - _position)
        : null;

    private void Ensure(int count)
    {
        if (_end - _position >= count) return;
        Refill();
        if (_end - _position < count) throw new SnapshotFormatException("Truncated snapshot: the input ends early.");
    }

    private void Refill()
    {
        HashConsumed();
        int left = _end - _position;
        Buffer.BlockCopy(_buffer, _position, _buffer, 0, left);
        _position = 0;
        _hashedUpTo = 0;
        _end = left;
        while (_end < BufferSize)
        {
            int n = _source.Read(_buffer, _end, BufferSize - _end);
            if (n == 0) break;
            _end += n;
            _readFromSource += n;
        }
    }

    private void HashConsumed()
    {
        _hash.Append(new ReadOnlySpan<byte>(_buffer, _hashedUpTo, _position - _hashedUpTo));
        _hashedUpTo = _position;
    }
}
