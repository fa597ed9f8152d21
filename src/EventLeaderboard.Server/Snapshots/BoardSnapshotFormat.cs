using System.IO.Hashing;
using System.Text;
using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Projection;

namespace EventLeaderboard.Server.Snapshots;

/// <summary>
/// The bytes of one board snapshot: everything the projection holds for the board, as of the end
/// of seq_id <c>SeqId</c>. Layout (little-endian, strings as BinaryWriter writes them):
/// <code>
/// "ELBS" u16 version=1
/// i64 seqId
/// config: string boardId, u8 sortOrder, u8 updatePolicy, opt i64 minScore, opt i64 maxScore, i32 topN, opt string displayName
/// i32 n, then n idempotency entries oldest first: string submissionId, string playerId, i64 score,
///     i64 rank, opt i64 previousRank, bool changed, i64 sequence
/// the ranking engine's own snapshot (its own versioned format and checksum), to the end
/// </code>
/// "opt" is a bool then the value when true. The ranking comes last because the engine's reader
/// buffers ahead. The XxHash64 of all the bytes is stored beside them (the row's checksum), so a
/// corrupted header is caught as surely as a corrupted ranking. Version 1 is append-only: a new
/// field means a new version that still reads 1.
/// </summary>
public static class BoardSnapshotFormat
{
    static ReadOnlySpan<byte> Magic => "ELBS"u8;
    const ushort Version = 1;

    /// <summary>Writes <paramref name="board"/>; call it with the projection paused (follower thread).</summary>
    public static void Write(Stream destination, BoardState board, long seqId)
    {
        WriteHeader(destination, board.Config, seqId, board.Submissions.Entries());
        board.Ranking.WriteSnapshot(destination);
    }

    /// <summary>
    /// Writes everything before the ranking: settings and idempotency entries. Needs only copies of
    /// them, so a snapshot can take those copies with the projection paused and write them after it
    /// resumed (see <see cref="CapturedSnapshot"/>).
    /// </summary>
    public static void WriteHeader(Stream destination, BoardConfig c, long seqId, List<(string SubmissionId, SubmissionOutcome Outcome)> entries)
    {
        using var w = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Version);
        w.Write(seqId);
        w.Write(c.BoardId);
        w.Write((byte)c.SortOrder);
        w.Write((byte)c.UpdatePolicy);
        WriteOptional(w, c.MinScore);
        WriteOptional(w, c.MaxScore);
        w.Write(c.TopN);
        w.Write(c.DisplayName is not null);
        if (c.DisplayName is not null) w.Write(c.DisplayName);
        w.Write(entries.Count);
        foreach (var (id, o) in entries)
        {
            w.Write(id);
            w.Write(o.PlayerId);
            w.Write(o.Score);
            w.Write(o.Rank);
            WriteOptional(w, o.PreviousRank);
            w.Write(o.Changed);
            w.Write(o.Sequence);
        }
    }

    /// <summary>
    /// Reads a snapshot, checking the envelope checksum; returns the board (private until it is
    /// complete) and the seq_id it reflects.
    /// </summary>
    /// <exception cref="SnapshotFormatException">Any corruption: bad header, engine error, checksum mismatch.</exception>
    public static (BoardState Board, long SeqId) Read(Stream source, long expectedChecksum, int idempotencyWindow)
    {
        var hashing = new HashingReadStream(source);
        try
        {
            BoardConfig config;
            long seqId;
            List<(string, SubmissionOutcome)> entries;
            using (var r = new BinaryReader(hashing, Encoding.UTF8, leaveOpen: true))
            {
                if (!r.ReadBytes(4).AsSpan().SequenceEqual(Magic)) throw new SnapshotFormatException("Not a board snapshot (magic).");
                var version = r.ReadUInt16();
                if (version != Version) throw new SnapshotFormatException($"Unknown board snapshot version {version}.");
                seqId = r.ReadInt64();
                var boardId = r.ReadString();
                var order = (SortOrder)r.ReadByte();
                var policy = (UpdatePolicy)r.ReadByte();
                if (!Enum.IsDefined(order) || !Enum.IsDefined(policy)) throw new SnapshotFormatException("Bad board settings.");
                var min = ReadOptional(r);
                var max = ReadOptional(r);
                var topN = r.ReadInt32();
                var displayName = r.ReadBoolean() ? r.ReadString() : null;
                config = new BoardConfig(boardId, order, policy, min, max, topN, displayName);
                var count = r.ReadInt32();
                if (count < 0) throw new SnapshotFormatException("Bad idempotency entry count.");
                entries = new(Math.Min(count, 1 << 20));
                for (var i = 0; i < count; i++)
                {
                    var id = r.ReadString();
                    entries.Add((id, new SubmissionOutcome(r.ReadString(), r.ReadInt64(), r.ReadInt64(), ReadOptional(r), r.ReadBoolean(), r.ReadInt64())));
                }
            }
            // The window's million dictionary inserts run on the second core while this one restores
            // the engine from the rest of the stream: a restart waits for the longer of the two only.
            var submissions = Task.Run(() => IdempotencyWindow.Restore(idempotencyWindow, entries));
            var ranking = RankingBoard.ReadSnapshot(hashing);
            if (ranking.SortOrder != config.SortOrder || ranking.UpdatePolicy != config.UpdatePolicy)
                throw new SnapshotFormatException("Ranking settings differ from the board's.");
            hashing.Drain();
            if (hashing.Checksum != expectedChecksum) throw new SnapshotFormatException("Snapshot checksum mismatch.");
            var board = new BoardState(config, idempotencyWindow, ranking, submissions.GetAwaiter().GetResult()) { RestoredThrough = seqId };
            return (board, seqId);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or ArgumentException or OverflowException)
        {
            throw new SnapshotFormatException("Corrupt board snapshot: " + e.Message, e);
        }
    }

    static void WriteOptional(BinaryWriter w, long? value)
    {
        w.Write(value.HasValue);
        if (value is { } v) w.Write(v);
    }

    static long? ReadOptional(BinaryReader r) => r.ReadBoolean() ? r.ReadInt64() : null;

    /// <summary>Passes bytes through while hashing them; <see cref="Drain"/> reads (and hashes) the rest.</summary>
    sealed class HashingReadStream(Stream inner) : ForwardReadStream
    {
        readonly XxHash64 _hash = new();

        public long Checksum => unchecked((long)_hash.GetCurrentHashAsUInt64());

        public void Drain()
        {
            var buffer = new byte[1 << 16];
            while (Read(buffer, 0, buffer.Length) > 0) { }
        }

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            _hash.Append(buffer[..n]);
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    }
}
