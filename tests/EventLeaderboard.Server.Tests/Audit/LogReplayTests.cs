using System.Net;
using System.Text;
using System.Text.Json;
using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Audit;
using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Projection;
using EventLeaderboard.Server.Subscriptions;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Snapshots;
using EventLeaderboard.Server.Tests.Support;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.Tests.Audit;

/// <summary>The replay that rebuilds and asOf use: its event reader and its two stages.</summary>
public sealed class LogReplayTests
{
    [Fact]
    public void the_score_reader_keeps_what_the_deserializer_reads_for_the_board_asked_with_the_items_indexes()
    {
        var items = new[]
        {
            new ScoreItem("b1", "ann", 5, null, null, "key"),
            new ScoreItem("b2", "bob", 7, "s-1", null, "key"),
            new ScoreItem("b1", "c\"at\u00e9\\", -3, "s-2", JsonDocument.Parse("""{"x":[1,{"y":"z"}]}""").RootElement, "other"),
            new ScoreItem("b1", "dan", long.MaxValue, null, null, "key"),
        };
        var evt = new ScoresSubmitted(DateTimeOffset.UnixEpoch, items);
        // Through PostgreSQL's jsonb text form would be best; the serializer's form plus an unknown property is the same grammar.
        var json = JsonSerializer.Serialize(evt, EventJsonContext.Default.ScoresSubmitted).Replace("\"items\"", "\"later\":{\"a\":[1]},\"items\"");

        var all = ScoreBatchReader.Read(Encoding.UTF8.GetBytes(json), null);
        var b1 = ScoreBatchReader.Read(Encoding.UTF8.GetBytes(json), "b1");

        Assert.Equal([0, 1, 2, 3], all.Indexes[..all.Count]);
        Assert.Equal(items.Select(Text), all.Items[..all.Count].Select(Text));
        Assert.Equal([0, 2, 3], b1.Indexes[..b1.Count]);
        Assert.Equal(new[] { items[0], items[2], items[3] }.Select(Text), b1.Items[..b1.Count].Select(Text));
        Assert.Equal(0, ScoreBatchReader.Read(Encoding.UTF8.GetBytes(json), "b3").Count);
    }

    static string Text(ScoreItem i) => $"{i.BoardId}|{i.PlayerId}|{i.Value}|{i.SubmissionId}|{i.Metadata?.GetRawText()}|{i.SubmittedBy}";

    [Fact]
    public void a_score_item_without_its_player_is_an_error_not_a_silent_skip()
    {
        Assert.ThrowsAny<JsonException>(() => ScoreBatchReader.Read("""{"at": "2026-01-01T00:00:00Z", "items": [{"b": "b1", "v": 1, "by": "k"}]}"""u8, null));
    }

    [Fact]
    public async Task when_an_apply_fails_the_reader_stops_and_its_query_ends()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        string board;
        await using (var app = await SnapshotNode.StartAsync(database))
        {
            var api = new Api(app.ClientWith(LeaderboardApp.AdminKey));
            board = await api.CreateBoardAsync();
            var scores = Enumerable.Range(0, 300).Select(i => new { playerId = $"p{i}", score = (long)i }).ToArray();
            (await api.BatchAsync(board, new { scores })).AssertStatus(HttpStatusCode.OK);
        }
        // Far more events than the reader may run ahead of the apply (4 pages of 8,192 items or 4,096 rows), and tens of
        // megabytes more than socket buffers hold: a reader that kept going would block on the full
        // channel with its query still sending.
        await using (var admin = new NpgsqlConnection(database))
        {
            await admin.OpenAsync();
            await using var copy = new NpgsqlCommand(
                "INSERT INTO leaderboard.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type) " +
                "SELECT nextval('leaderboard.mt_events_sequence'), gen_random_uuid(), e.stream_id, e.version + g, e.data, e.type, e.timestamp, e.mt_dotnet_type " +
                "FROM leaderboard.mt_events e, generate_series(1, 8000) g WHERE e.type = 'scores_submitted'", admin);
            await copy.ExecuteNonQueryAsync();
        }
        var name = "replay-" + Guid.NewGuid().ToString("N")[..8];
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database) { ApplicationName = name }.ConnectionString);
        var ingest = Options.Create(new IngestOptions());
        var replay = new LogReplay(dataSource, Options.Create(new StorageOptions()), ingest);
        var projection = new LeaderboardProjection(ingest, new FailingObserver());

        await Assert.ThrowsAsync<InvalidOperationException>(() => replay.ReplayAsync(projection, board, 0, long.MaxValue, CancellationToken.None));

        await using var check = new NpgsqlConnection(database);
        await check.OpenAsync();
        await using var active = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @n AND state <> 'idle'", check);
        active.Parameters.AddWithValue("n", name);
        Assert.Equal(0L, (long)(await active.ExecuteScalarAsync())!);
    }

    sealed class FailingObserver : IProjectionObserver
    {
        public void ScoreApplied(BoardState board, ScoreItem item, in ApplyResult result, long position) => throw new InvalidOperationException("apply failed");
        public void PlayerRemoved(BoardState board, string playerId, long previousRank, long position) { }
        public void BoardChanged(BoardConfig config, long position) { }
        public void Advanced(long seqId) { }
    }
}
