using System.IO.Hashing;
using System.Text;
using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Projection;
using EventLeaderboard.Server.Snapshots;

namespace EventLeaderboard.Server.Tests.Snapshots;

/// <summary>
/// The board snapshot's bytes: version 2 round-trips whether or not the reader knows the length,
/// snapshots written by version 1 (no length before the idempotency entries) still restore, and a
/// wrong entries length is refused as corruption rather than misread.
/// </summary>
public sealed class BoardSnapshotFormatTests
{
    const int Window = 100;
    const long SeqId = 4242;
    static readonly BoardConfig Config = new("fmt", SortOrder.Descending, UpdatePolicy.Best, 0, 1_000_000, 10, "Format");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void a_board_reads_back_with_its_settings_ranking_and_remembered_submissions(bool lengthKnown)
    {
        var board = SampleBoard();
        var bytes = Written(board);

        var (read, seqId) = BoardSnapshotFormat.Read(new MemoryStream(bytes), Checksum(bytes), Window, lengthKnown ? bytes.Length : null);

        Assert.Equal(SeqId, seqId);
        Assert.Equal(SeqId, read.RestoredThrough);
        Assert.Equal(Config, read.Config);
        Assert.Equal(board.Ranking.ComputeContentChecksum(), read.Ranking.ComputeContentChecksum());
        Assert.Equal(board.Submissions.Entries(), read.Submissions.Entries());
        Assert.True(read.Submissions.TryGet("s-7", out var outcome));
        Assert.Equal("p7", outcome.PlayerId);
    }

    [Fact]
    public void a_snapshot_written_by_version_1_still_restores()
    {
        var board = SampleBoard();
        var bytes = WrittenAsVersion1(board);

        var (read, seqId) = BoardSnapshotFormat.Read(new MemoryStream(bytes), Checksum(bytes), Window, bytes.Length);

        Assert.Equal(SeqId, seqId);
        Assert.Equal(Config, read.Config);
        Assert.Equal(board.Ranking.ComputeContentChecksum(), read.Ranking.ComputeContentChecksum());
        Assert.Equal(board.Submissions.Entries(), read.Submissions.Entries());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void a_wrong_entries_length_is_corruption(long delta)
    {
        var bytes = WithEntriesLengthChangedBy(delta);

        // The checksum matches the tampered bytes: only the format's own checks can catch it.
        Assert.Throws<SnapshotFormatException>(() => BoardSnapshotFormat.Read(new MemoryStream(bytes), Checksum(bytes), Window, bytes.Length));
    }

    [Fact]
    public void an_entries_length_past_the_end_is_refused_before_anything_is_allocated_for_it()
    {
        var bytes = WithEntriesLengthChangedBy(1_000_000_000);

        var error = Assert.Throws<SnapshotFormatException>(() => BoardSnapshotFormat.Read(new MemoryStream(bytes), Checksum(bytes), Window, bytes.Length));
        Assert.Contains("idempotency section length", error.Message);
    }

    static byte[] WithEntriesLengthChangedBy(long delta)
    {
        var bytes = Written(SampleBoard());
        var at = EntriesLengthOffset();
        BitConverter.GetBytes(BitConverter.ToInt64(bytes, at) + delta).CopyTo(bytes, at);
        return bytes;
    }

    static BoardState SampleBoard()
    {
        var board = new BoardState(Config, Window);
        for (var i = 0; i < 50; i++)
        {
            var applied = board.Ranking.Apply($"p{i}", (i * 7919) % 1000, i);
            board.Submissions.TryRemember($"s-{i}", new SubmissionOutcome($"p{i}", applied.Score, applied.Rank, applied.PreviousRank, applied.Changed, i));
        }
        // Ids whose UTF-8 length needs a two-byte length prefix, with multi-byte characters: the
        // entries' length must count bytes as the writer writes them.
        var longId = "sübmission-" + new string('é', 100) + "-日本";
        var player = "spieler-ß-" + new string('x', 117); // 128 UTF-8 bytes, the longest id the engine takes
        var last = board.Ranking.Apply(player, 999, 50);
        board.Submissions.TryRemember(longId, new SubmissionOutcome(player, last.Score, last.Rank, last.PreviousRank, last.Changed, 50));
        return board;
    }

    static byte[] Written(BoardState board)
    {
        var stream = new MemoryStream();
        BoardSnapshotFormat.Write(stream, board, SeqId);
        return stream.ToArray();
    }

    /// <summary>The layout version 1 wrote: as version 2 but without the entries' byte length.</summary>
    static byte[] WrittenAsVersion1(BoardState board)
    {
        var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write("ELBS"u8);
            w.Write((ushort)1);
            w.Write(SeqId);
            WriteConfig(w);
            var entries = board.Submissions.Entries();
            w.Write(entries.Count);
            foreach (var (id, o) in entries)
            {
                w.Write(id);
                w.Write(o.PlayerId);
                w.Write(o.Score);
                w.Write(o.Rank);
                w.Write(o.PreviousRank.HasValue);
                if (o.PreviousRank is { } previous) w.Write(previous);
                w.Write(o.Changed);
                w.Write(o.Sequence);
            }
        }
        board.Ranking.WriteSnapshot(stream);
        return stream.ToArray();
    }

    static void WriteConfig(BinaryWriter w)
    {
        w.Write(Config.BoardId);
        w.Write((byte)Config.SortOrder);
        w.Write((byte)Config.UpdatePolicy);
        w.Write(true);
        w.Write(Config.MinScore!.Value);
        w.Write(true);
        w.Write(Config.MaxScore!.Value);
        w.Write(Config.TopN);
        w.Write(true);
        w.Write(Config.DisplayName!);
    }

    /// <summary>Where version 2 keeps the entries' length: right after magic, version, seq_id and settings.</summary>
    static int EntriesLengthOffset()
    {
        var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write("ELBS"u8);
            w.Write((ushort)2);
            w.Write(SeqId);
            WriteConfig(w);
        }
        return (int)stream.Length;
    }

    static long Checksum(byte[] bytes) => unchecked((long)XxHash64.HashToUInt64(bytes));
}
