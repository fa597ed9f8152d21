using System.Net;
using EventLeaderboard.Server.Subscriptions;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;
using Npgsql;

namespace EventLeaderboard.Server.Tests.Subscriptions;

/// <summary>
/// Groups filtered by kind skip messages rows on their <c>kinds</c> mask and read a batch row's rare
/// messages from its <c>rare</c> part: they must still receive exactly what an unfiltered group
/// receives of those kinds, in the same order with the same ids, also from rows written before
/// migration 0005 (mask -1, no rare part).
/// </summary>
public sealed class KindFilterTests
{
    static readonly string[] Rare = ["rank.enteredTop", "rank.leftTop", "rank.newLeader"];

    [Fact]
    public async Task filtered_groups_receive_exactly_the_unfiltered_messages_of_their_kinds_from_new_and_old_rows()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        string boardId;
        long last;
        List<Message> all;
        await using (var writer = await StartAsync(database))
        {
            var admin = new Api(writer.ClientWith(LeaderboardApp.AdminKey));
            boardId = await admin.CreateBoardAsync(extra: new { topN = 3 });
            // A batch row with top changes among its scores, a batch row of scores that change no top
            // (frequent kinds only: skipped by rare groups), then a single score taking the lead.
            var mixed = Enumerable.Range(0, 50).Select(i => new { playerId = $"m{i}", score = (long)(1000 + i * 7 % 50) }).ToArray();
            (await admin.BatchAsync(boardId, new { scores = mixed })).AssertStatus(HttpStatusCode.OK);
            var low = Enumerable.Range(0, 50).Select(i => new { playerId = $"l{i}", score = (long)i }).ToArray();
            (await admin.BatchAsync(boardId, new { scores = low })).AssertStatus(HttpStatusCode.OK);
            last = (await admin.SubmitOkAsync(boardId, "leader", 5000)).GetProperty("sequence").GetInt64();
            var groups = new GroupApi(admin);
            all = await ReadAllAsync(groups, await groups.CreateAsync(new { boards = new[] { boardId }, startAt = "beginning" }), 1000, last);
            Assert.Contains(all, m => m.Kind == "rank.leftTop");
        }

        // The rows as this version writes them: the low batch holds frequent kinds only, the mixed
        // one both, with its rare messages stored apart.
        var rows = await RowsAsync(database);
        var frequentOnly = MessageKinds.Bit(MessageKind.ScoreSubmitted) | MessageKinds.Bit(MessageKind.RankChanged);
        Assert.Contains(rows, r => r.Kinds == frequentOnly && !r.HasRare);
        Assert.Contains(rows, r => (r.Kinds & ~frequentOnly) != 0 && (r.Kinds & frequentOnly) != 0 && r.HasRare);
        Assert.DoesNotContain(rows, r => r.Kinds == MessageKinds.AnyMask);

        // Fresh nodes from here on: nothing decoded by the unfiltered read is cached, so the rare
        // groups really read the rows' rare parts.
        await using (var reader = await StartAsync(database))
        {
            var groups = new GroupApi(new Api(reader.ClientWith(LeaderboardApp.AdminKey)));
            await AssertFilteredAsync(groups, boardId, all, Rare, last);

            // What a rare part handed out is redelivered from the whole rows by ordinal: the same messages.
            var crashing = await groups.CreateAsync(new { boards = new[] { boardId }, kinds = Rare, startAt = "beginning", ackTimeoutSeconds = 1 });
            var lost = await ReadAllAsync(groups, crashing, 1000, last, ack: false);
            var redelivered = new List<Message>();
            var until = DateTime.UtcNow.AddSeconds(30);
            while (redelivered.Count < lost.Count)
            {
                var batch = await groups.ReadAsync(crashing, "healthy", 1000, waitMs: 500);
                Assert.True(batch.Length > 0 || DateTime.UtcNow < until, "Nothing was redelivered.");
                redelivered.AddRange(batch);
            }
            Assert.Equal(lost.Select(m => m.Summary), redelivered.Select(m => m.Summary));
            Assert.Equal(lost.Select(m => m.Id), redelivered.Select(m => m.Id));
            Assert.All(redelivered, m => Assert.Equal(2, m.DeliveryCount));

            await AssertFilteredAsync(groups, boardId, all, ["rank.changed", "rank.newLeader"], last);
        }

        // Rows written before migration 0005: every group reads them whole, with the same result.
        await TestDatabase.ExecuteAsync(database, "UPDATE leaderboard.sub_messages SET kinds = -1, rare = NULL");
        await using (var upgraded = await StartAsync(database))
            await AssertFilteredAsync(new GroupApi(new Api(upgraded.ClientWith(LeaderboardApp.AdminKey))), boardId, all, Rare, last);
    }

    [Fact]
    public async Task a_waiting_reader_of_rare_kinds_does_not_read_again_for_pages_without_them_and_wakes_for_one_that_has()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var node = await StartAsync(database);
        var admin = new Api(node.ClientWith(LeaderboardApp.AdminKey));
        var boardId = await admin.CreateBoardAsync(extra: new { topN = 3 });
        foreach (var (player, score) in new[] { ("a", 3_000L), ("b", 2_000L), ("c", 1_000L) })
            await admin.SubmitOkAsync(boardId, player, score);
        var groups = new GroupApi(admin);
        var group = await groups.CreateAsync(new { boards = new[] { boardId }, kinds = new[] { "rank.newLeader" }, startAt = "beginning" });
        Assert.NotEmpty(await groups.ReadAtLeastAsync(group, "c1", 1));
        // Every read of the group records its consumer: count those writes from here on.
        await TestDatabase.ExecuteAsync(database, $$"""
            CREATE TABLE public.reads (at timestamptz NOT NULL DEFAULT clock_timestamp());
            CREATE FUNCTION public.count_read() RETURNS trigger LANGUAGE plpgsql AS $f$
                BEGIN IF NEW.group_name = '{{group}}' THEN INSERT INTO public.reads DEFAULT VALUES; END IF; RETURN NEW; END $f$;
            CREATE TRIGGER count_read AFTER INSERT OR UPDATE ON leaderboard.sub_consumers FOR EACH ROW EXECUTE FUNCTION public.count_read();
            """);

        var waiting = groups.ReadAsync(group, "c1", 10, waitMs: 20_000);
        // 40 log pages, each one raising the message writer's watermark, none with a new leader.
        for (var i = 0; i < 40; i++) await admin.SubmitOkAsync(boardId, $"low{i}", i);
        var readsMeanwhile = (long)(await TestDatabase.ScalarAsync(database, "SELECT count(*) FROM public.reads"))!;
        await admin.SubmitOkAsync(boardId, "z", 9_000);

        var delivered = await waiting;
        Assert.Equal(["rank.newLeader z"], delivered.Select(m => $"{m.Kind} {m.Player}"));
        // One read when the request arrived and one per 500 ms tick; a read per page would be 40.
        var elapsedTicks = (double)(await TestDatabase.ScalarAsync(database,
            "SELECT coalesce(extract(epoch FROM clock_timestamp() - min(at)), 0)::float8 FROM public.reads"))!;
        Assert.True(readsMeanwhile <= 2 + elapsedTicks / 0.5, $"{readsMeanwhile} reads while 40 pages without the group's kinds were written in {elapsedTicks:F1} s");
    }

    static async Task<LeaderboardApp> StartAsync(string database) =>
        await SubscriptionNode.Create(database, new Dictionary<string, string?> { ["Subscriptions:InProcessHandlers"] = "false" }).StartAsync();

    /// <summary>A new group of <paramref name="kinds"/> from the beginning, read two at a time (reads stop inside rows).</summary>
    static async Task AssertFilteredAsync(GroupApi groups, string boardId, List<Message> all, string[] kinds, long last)
    {
        var group = await groups.CreateAsync(new { boards = new[] { boardId }, kinds, startAt = "beginning" });
        var expected = all.Where(m => kinds.Contains(m.Kind)).ToList();
        Assert.NotEmpty(expected);
        var received = await ReadAllAsync(groups, group, 2, last);
        Assert.Equal(expected.Select(m => m.Id), received.Select(m => m.Id));
        Assert.Equal(expected.Select(m => m.Summary), received.Select(m => m.Summary));
        Assert.Empty(await groups.ReadAsync(group, "c", waitMs: 200));
    }

    /// <summary>Reads and acknowledges until the new leader of the submission at <paramref name="last"/> arrived.</summary>
    static async Task<List<Message>> ReadAllAsync(GroupApi groups, string group, int count, long last, bool ack = true)
    {
        var received = new List<Message>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!received.Any(m => m.Sequence == last && m.Kind == "rank.newLeader"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Group {group} did not receive the last new leader; got {received.Count} messages.");
            var batch = await groups.ReadAsync(group, "c", count, waitMs: 500);
            received.AddRange(batch);
            if (ack && batch.Length > 0) await groups.AckAsync(group, batch.Select(m => m.Id));
        }
        // The last row may hold messages after the new leader (a leftTop): take the rest of it.
        received.AddRange(await groups.ReadAsync(group, "c", 1000, waitMs: 0));
        return received;
    }

    static async Task<List<(int Kinds, bool HasRare)>> RowsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT kinds, rare IS NOT NULL FROM leaderboard.sub_messages ORDER BY seq_id", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(int, bool)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt32(0), reader.GetBoolean(1)));
        return rows;
    }
}
