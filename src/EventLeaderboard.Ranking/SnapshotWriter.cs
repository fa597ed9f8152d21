using System.Buffers.Binary;
using System.IO.Hashing;

namespace EventLeaderboard.Ranking;

/// <summary>Streams bytes through a buffer into a destination while hashing them (see <see cref="SnapshotFormat"/>).</summary>
internal sealed class SnapshotWriter
{
    private const int BufferSize = 1 << 16;
    private readonly Stream _destination;
    private readonly XxHash64 _hash = new();
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _position;

    public SnapshotWriter(Stream destination) => _destination = destination;

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_position == BufferSize) Flush();
            int n = Math.Min(bytes.Length, BufferSize - _position);
            bytes[..n].CopyTo(_buffer.AsSpan(_position));
            _position += n;
            bytes = bytes[n..];
        }
    }

    public void WriteByte(byte value)
    {
        if (_position == BufferSize) Flush();
        _buffer[_position++] = value;
    }

    public void WriteVarint(ulong value)
    {
        if (BufferSize - _position < 10) Flush();
        byte[] buffer = _buffer;
        int p = _position;
        while (value >= 0x80)
        {
            buffer[p++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[p++] = (byte)value;
        _position = p;
    }

    /// <summary>
    /// Returns at least <paramref name="size"/> writable bytes at the current position (size &lt;= 4 KiB);
    /// <see cref="Advance"/> commits what was used. Lets the hot entry loop encode without a call per field.
    /// </summary>
    public Span<byte> Reserve(int size)
    {
        if (BufferSize - _position < size) Flush();
        return _buffer.AsSpan(_position);
    }

    public void Advance(int count) => _position += count;

    /// <summary>Writes a varint at <paramref name="position"/> of <paramref name="destination"/>; returns the new position.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int PutVarint(Span<byte> destination, int position, ulong value)
    {
        while (value >= 0x80)
        {
            destination[position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[position++] = (byte)value;
        return position;
    }

    public void WriteUInt16(ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        WriteBytes(bytes);
    }

    /// <summary>Writes a header field: id, length, payload.</summary>
    public void WriteField(int fieldId, ReadOnlySpan<byte> payload)
    {
        WriteVarint((ulong)fieldId);
        WriteVarint((ulong)payload.Length);
        WriteBytes(payload);
    }

    public void WriteVarintField(int fieldId, ulong value)
    {
        Span<byte> payload = stackalloc byte[10];
        int n = 0;
        while (value >= 0x80)
        {
            payload[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        payload[n++] = (byte)value;
        WriteField(fieldId, payload[..n]);
    }

    /// <summary>Appends the checksum of everything written so far and flushes.</summary>
    public void Finish()
    {
        Flush();
        Span<byte> checksum = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, _hash.GetCurrentHashAsUInt64());
        _destination.Write(checksum);
        _destination.Flush();
    }

    private void Flush()
    {
        ReadOnlySpan<byte> data = _buffer.AsSpan(0, _position);
        _hash.Append(data);
        _destination.Write(data);
        _position = 0;
    }
}
