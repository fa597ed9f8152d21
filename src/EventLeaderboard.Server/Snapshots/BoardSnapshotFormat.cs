using System.IO.Hashing;
using System.Text;
using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Projection;

namespace EventLeaderboard.Server.Snapshots;

/// <summary>
/// The bytes of one board snapshot: everything the projection holds for the board, as of the end
/// of seq_id <c>SeqId</c>. Layout (little-endian, strings as BinaryWriter writes them):
/// <code>
/// "ELBS" u16 version=2
/// i64 seqId
/// config: string boardId, u8 sortOrder, u8 updatePolicy, opt i64 minScore, opt i64 maxScore, i32 topN, opt string displayName
/// i64 b (version 2 only): the byte length of the entries section that follows
/// i32 n, then n idempotency entries oldest first: string submissionId, string playerId, i64 score,
///     i64 rank, opt i64 previousRank, bool changed, i64 sequence
/// the ranking engine's own snapshot (its own versioned format and checksum), to the end
/// </code>
/// "opt" is a bool then the value when true. The ranking comes last because the engine's reader
/// buffers ahead. The XxHash64 of all the bytes is stored beside them (the row's checksum), so a
/// corrupted header is caught as surely as a corrupted ranking.
/// <para>Version 2 differs from 1 only by <c>b</c>: knowing where the entries end, the reader copies
/// them out as raw bytes and parses them (a million on a busy board, 1.3 s on this machine) on
/// another core while the engine restores the ranking, where version 1 made the engine wait for
/// them. Both versions are read; a new field means a new version that still reads the old ones.</para>
/// </summary>
public static class BoardSnapshotFormat
{
    static ReadOnlySpan<byte> Magic => "ELBS"u8;
    const ushort Version = 2;

    /// <summary>The first version, without the entries' byte length; still read.</summary>
    const ushort Version1 = 1;

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
        w.Write(EntriesLength(entries));
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
    /// <param name="length">The snapshot's size in bytes when the source cannot tell (its row says it): the engine then sizes its id index once.</param>
    public static (BoardState Board, long SeqId) Read(Stream source, long expectedChecksum, int idempotencyWindow, long? length = null)
    {
        var hashing = new HashingReadStream(source);
        Task<IdempotencyWindow>? submissions = null;
        try
        {
            BoardConfig config;
            long seqId;
            using (var r = new BinaryReader(hashing, Encoding.UTF8, leaveOpen: true))
            {
                if (!r.ReadBytes(4).AsSpan().SequenceEqual(Magic)) throw new SnapshotFormatException("Not a board snapshot (magic).");
                var version = r.ReadUInt16();
                if (version is not (Version or Version1)) throw new SnapshotFormatException($"Unknown board snapshot version {version}.");
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
                if (version == Version1)
                {
                    var entries = ReadEntries(r);
                    submissions = Task.Run(() => IdempotencyWindow.Restore(idempotencyWindow, entries));
                }
                else
                {
                    var entriesLength = r.ReadInt64();
                    // Allocated before it is read: bounded by what the row says is left, or by 1 GiB
                    // when the caller cannot say (a million entries take about 75 MB).
                    if (entriesLength < sizeof(int) || entriesLength > Math.Min(Array.MaxLength, (length - hashing.BytesRead) ?? 1L << 30))
                        throw new SnapshotFormatException("Bad idempotency section length.");
                    var raw = GC.AllocateUninitializedArray<byte>((int)entriesLength);
                    hashing.ReadExactly(raw);
                    submissions = Task.Run(() =>
                    {
                        using var entriesReader = new BinaryReader(new MemoryStream(raw, writable: false), Encoding.UTF8);
                        var entries = ReadEntries(entriesReader);
                        if (entriesReader.BaseStream.Position != raw.Length) throw new SnapshotFormatException("The idempotency section's length does not match its entries.");
                        return IdempotencyWindow.Restore(idempotencyWindow, entries);
                    });
                }
            }
            // The window (parse and a million dictionary inserts) is built on the second core while
            // this one restores the engine from the rest of the stream: a restart waits for the
            // longer of the two only.
            var ranking = RankingBoard.ReadSnapshot(hashing, length - hashing.BytesRead);
            if (ranking.SortOrder != config.SortOrder || ranking.UpdatePolicy != config.UpdatePolicy)
                throw new SnapshotFormatException("Ranking settings differ from the board's.");
            hashing.Drain();
            if (hashing.Checksum != expectedChecksum) throw new SnapshotFormatException("Snapshot checksum mismatch.");
            var board = new BoardState(config, idempotencyWindow, ranking, submissions.GetAwaiter().GetResult()) { RestoredThrough = seqId };
            submissions = null;
            return (board, seqId);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or ArgumentException or OverflowException)
        {
            throw new SnapshotFormatException("Corrupt board snapshot: " + e.Message, e);
        }
        finally
        {
            // A failed read leaves no task behind: the window's build ends (or fails) before the caller moves on.
            if (submissions is not null)
            {
                try { submissions.Wait(); }
                catch (AggregateException) { /* the read already failed; this is a consequence */ }
            }
        }
    }

    /// <summary>The idempotency entries: a count, then the entries, oldest first.</summary>
    static List<(string, SubmissionOutcome)> ReadEntries(BinaryReader r)
    {
        var count = r.ReadInt32();
        if (count < 0) throw new SnapshotFormatException("Bad idempotency entry count.");
        var entries = new List<(string, SubmissionOutcome)>(Math.Min(count, 1 << 20));
        for (var i = 0; i < count; i++)
        {
            var id = r.ReadString();
            entries.Add((id, new SubmissionOutcome(r.ReadString(), r.ReadInt64(), r.ReadInt64(), ReadOptional(r), r.ReadBoolean(), r.ReadInt64())));
        }
        return entries;
    }

    /// <summary>The byte length of the entries section as <see cref="WriteHeader"/> writes it (count included).</summary>
    static long EntriesLength(List<(string SubmissionId, SubmissionOutcome Outcome)> entries)
    {
        long bytes = sizeof(int);
        foreach (var (id, o) in entries)
            bytes += StringLength(id) + StringLength(o.PlayerId) + 8 + 8 + (o.PreviousRank.HasValue ? 9 : 1) + 1 + 8;
        return bytes;
    }

    /// <summary>A string as BinaryWriter writes it: its UTF-8 length as a 7-bit varint, then the bytes.</summary>
    static int StringLength(string value)
    {
        var utf8 = Encoding.UTF8.GetByteCount(value);
        var prefix = 1;
        for (var rest = (uint)utf8 >> 7; rest != 0; rest >>= 7) prefix++;
        return prefix + utf8;
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

        public long BytesRead { get; private set; }

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
            BytesRead += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    }
}
