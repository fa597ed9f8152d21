using System.IO.Hashing;

namespace EventLeaderboard.Server.Snapshots;

/// <summary>
/// A write-only in-memory stream kept as fixed-size chunks (no 300 MB array doubled and copied as
/// it grows) that hashes what it receives. Filled on the follower thread, uploaded off it.
/// </summary>
public sealed class ChunkedBuffer : Stream
{
    /// <summary>4 MiB: big enough that per-row overhead vanishes, small enough to stream.</summary>
    public const int ChunkSize = 4 << 20;

    readonly List<byte[]> _chunks = [];
    readonly XxHash64 _hash = new();
    int _used = ChunkSize;
    long _length;

    /// <summary>The chunks; the last one holds <c>Length % ChunkSize</c> bytes (or is full).</summary>
    public IReadOnlyList<byte[]> Chunks => _chunks;

    public int LastChunkLength => _chunks.Count == 0 ? 0 : _used;

    /// <summary>XxHash64 of every byte written (the envelope checksum).</summary>
    public long Checksum => unchecked((long)_hash.GetCurrentHashAsUInt64());

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.Append(buffer);
        _length += buffer.Length;
        while (!buffer.IsEmpty)
        {
            if (_used == ChunkSize)
            {
                _chunks.Add(GC.AllocateUninitializedArray<byte>(ChunkSize));
                _used = 0;
            }
            var n = Math.Min(buffer.Length, ChunkSize - _used);
            buffer[..n].CopyTo(_chunks[^1].AsSpan(_used));
            _used += n;
            buffer = buffer[n..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
