using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace EventLeaderboard.Ranking.Tests;

public class SnapshotRoundTrips
{
    internal static RankingBoard RandomBoard(int players, SortOrder order, int seed, int scoreDomain = 1_000_000)
    {
        var random = new Random(seed);
        var board = new RankingBoard(order, UpdatePolicy.Best);
        for (int i = 0; i < players; i++)
        {
            byte[] metadata = i % 10 == 0 ? Encoding.UTF8.GetBytes($"{{\"n\":{i}}}") : [];
            board.Apply($"player:{random.Next():D10}", random.Next(-scoreDomain, scoreDomain), i + 1, metadata);
        }
        return board;
    }

    internal static byte[] Snapshot(RankingBoard board)
    {
        var stream = new MemoryStream();
        board.WriteSnapshot(stream);
        return stream.ToArray();
    }

    [Theory]
    [InlineData(0, SortOrder.Descending)]
    [InlineData(1, SortOrder.Ascending)]
    [InlineData(57, SortOrder.Descending)]
    [InlineData(5_000, SortOrder.Ascending)]
    [InlineData(300_000, SortOrder.Descending)]
    public void a_restored_board_has_the_same_entries_metadata_and_checksum(int players, SortOrder order)
    {
        var board = RandomBoard(players, order, seed: players);
        RankingBoard restored = RankingBoard.ReadSnapshot(new MemoryStream(Snapshot(board)));

        restored.ValidateInvariants();
        Assert.Equal((board.SortOrder, board.UpdatePolicy, board.Count), (restored.SortOrder, restored.UpdatePolicy, restored.Count));
        Assert.Equal(board.ComputeContentChecksum(), restored.ComputeContentChecksum());
        Assert.True(board.EnumerateInRankOrder().Zip(restored.EnumerateInRankOrder()).All(p =>
            p.First.PlayerId == p.Second.PlayerId && p.First.Score == p.Second.Score && p.First.Rank == p.Second.Rank &&
            p.First.TiePosition == p.Second.TiePosition && p.First.Metadata.Span.SequenceEqual(p.Second.Metadata.Span)));
    }

    [Fact]
    public void a_restored_board_keeps_working_like_the_original()
    {
        var board = RandomBoard(3_000, SortOrder.Descending, seed: 9, scoreDomain: 50);
        RankingBoard restored = RankingBoard.ReadSnapshot(new MemoryStream(Snapshot(board)));
        var random = new Random(10);
        for (int i = 0; i < 4_000; i++)
        {
            var existing = board.GetTop(random.Next(board.Count), 1)[0].PlayerId;
            string id = random.Next(3) == 0 ? $"new:{i}" : existing;
            if (random.Next(10) == 0)
            {
                Assert.Equal(board.Remove(id, out long a), restored.Remove(id, out long b));
                Assert.Equal(a, b);
                continue;
            }
            long score = random.Next(-50, 100);
            Assert.Equal(board.Apply(id, score, 10_000 + i), restored.Apply(id, score, 10_000 + i));
        }
        restored.ValidateInvariants();
        Assert.Equal(board.ComputeContentChecksum(), restored.ComputeContentChecksum());
    }

    [Fact]
    public void ten_thousand_players_with_shaped_ids_take_under_32_bytes_each()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        var random = new Random(3);
        for (int i = 0; i < 10_000; i++) board.Apply($"player:{i:D7}", random.NextInt64(0, 1_000_000_000), i + 1);
        Assert.True(Snapshot(board).Length < 32 * 10_000);
    }
}

public class DamagedSnapshots
{
    private static readonly byte[] Good = SnapshotRoundTrips.Snapshot(SnapshotRoundTrips.RandomBoard(40, SortOrder.Descending, seed: 4));

    [Fact]
    public void every_truncation_is_rejected()
    {
        for (int length = 0; length < Good.Length; length++)
        {
            var ex = Assert.Throws<SnapshotFormatException>(() => RankingBoard.ReadSnapshot(new MemoryStream(Good, 0, length)));
            Assert.False(string.IsNullOrEmpty(ex.Message));
        }
    }

    [Fact]
    public void flipping_any_bit_of_any_byte_is_rejected()
    {
        var random = new Random(5);
        for (int position = 0; position < Good.Length; position++)
        {
            byte[] damaged = (byte[])Good.Clone();
            damaged[position] ^= (byte)(1 << random.Next(8));
            Assert.Throws<SnapshotFormatException>(() => RankingBoard.ReadSnapshot(new MemoryStream(damaged)));
        }
    }

    [Fact]
    public void a_truncated_snapshot_from_a_stream_that_cannot_seek_is_rejected()
    {
        // Without a length to check the entry count against, the reader finds the end by running out.
        for (int length = 0; length < Good.Length; length += 7)
        {
            var stream = new ForwardOnlyStream(new MemoryStream(Good, 0, length));
            Assert.Throws<SnapshotFormatException>(() => RankingBoard.ReadSnapshot(stream));
        }
        Assert.Equal(40, RankingBoard.ReadSnapshot(new ForwardOnlyStream(new MemoryStream(Good))).Count);
    }

    /// <summary>A stream like a network or pipe stream: no length, no seeking.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1000));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void an_unknown_format_version_is_rejected_with_its_number()
    {
        byte[] future = (byte[])Good.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(future.AsSpan(8), 2);
        var ex = Assert.Throws<SnapshotFormatException>(() => RankingBoard.ReadSnapshot(new MemoryStream(future)));
        Assert.Contains("version 2", ex.Message);
    }

    [Fact]
    public void something_else_entirely_is_rejected()
    {
        Assert.Throws<SnapshotFormatException>(() => RankingBoard.ReadSnapshot(new MemoryStream("not a snapshot at all"u8.ToArray())));
    }

    [Fact]
    public void an_unknown_header_field_from_a_newer_writer_is_skipped()
    {
        // Header fields start after magic (8) and version (2): 1:[1 byte] 2:[1 byte] 3:[varint] 4:[varint] 0.
        int at = 10;
        while (Good[at] != 0) at += 2 + Good[at + 1];
        byte[] extra = [99, 3, 0xAA, 0xBB, 0xCC];
        byte[] body = [.. Good.AsSpan(0, at), .. extra, .. Good.AsSpan(at, Good.Length - 8 - at)];
        byte[] withField = new byte[body.Length + 8];
        body.CopyTo(withField, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(withField.AsSpan(body.Length), XxHash64.HashToUInt64(body));

        RankingBoard restored = RankingBoard.ReadSnapshot(new MemoryStream(withField));
        Assert.Equal(40, restored.Count);
    }
}
