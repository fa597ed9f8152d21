using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Schema;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.Tests.Schema;

/// <summary>
/// migrations/ is the schema: applied to an empty database it is exactly what the code expects, so
/// a code change that alters the schema without a new migration fails here.
/// </summary>
public sealed class MigrationTests
{
    static readonly Dictionary<string, string?> Production = new() { ["Storage:ApplyMigrationsOnStartup"] = "false" };

    static Migrator MigratorFor(string connectionString) =>
        new(NpgsqlDataSource.Create(connectionString), Options.Create(new StorageOptions()), NullLogger<Migrator>.Instance);

    /// <summary>Every column (type, nullability, default, storage, identity, collation, compression), index and constraint of the project's own tables.</summary>
    static Task<List<string>> ProjectTablesAsync(string connectionString) => TextColumnAsync(connectionString, """
            SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull
                   || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' storage=' || a.attstorage::text || ' identity=' || a.attidentity::text
                   || ' collation=' || coalesce(co.collname, '') || ' compression=' || a.attcompression::text
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
            LEFT JOIN pg_collation co ON co.oid = a.attcollation
            WHERE n.nspname = 'leaderboard' AND c.relkind = 'r' AND c.relname NOT LIKE 'mt\_%' AND c.relname <> 'schema_migrations'
            UNION ALL
            SELECT 'index ' || indexdef FROM pg_indexes
            WHERE schemaname = 'leaderboard' AND tablename NOT LIKE 'mt\_%' AND tablename <> 'schema_migrations'
            UNION ALL
            SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = 'leaderboard'::regnamespace AND conrelid::regclass::text NOT LIKE 'leaderboard.mt\_%'
              AND conrelid::regclass::text <> 'leaderboard.schema_migrations'
            ORDER BY 1
            """);

    [Fact]
    public async Task migrations_applied_to_an_empty_database_give_exactly_the_schema_the_code_expects()
    {
        var migrated = await TestDatabase.CreateDatabaseAsync();
        Assert.Equal(MigrationScripts.All.Select(s => s.Name), await MigratorFor(migrated).ApplyAsync(default));

        // A production node starts only if Marten finds its tables and functions exactly as configured.
        await using (var node = await new LeaderboardApp(migrated, Production).StartAsync())
            Assert.True((await node.ClientWith(LeaderboardApp.AdminKey).GetAsync("/health/ready")).IsSuccessStatusCode);

        // The project's own tables: the same as a development node creates from the code.
        var created = await TestDatabase.CreateDatabaseAsync();
        await using (var node = await new LeaderboardApp(created).StartAsync())
        {
            // Subscriptions create their tables on first use; a group read forces it if start-up did not.
            await node.ClientWith(LeaderboardApp.AdminKey).GetAsync("/v1/subscriptions/none");
        }
        var expected = await ProjectTablesAsync(created);
        Assert.Contains(expected, row => row.StartsWith("board_snapshots.", StringComparison.Ordinal));
        Assert.Contains(expected, row => row.StartsWith("sub_messages.", StringComparison.Ordinal));
        Assert.Contains(expected, row => row.StartsWith("player_history.", StringComparison.Ordinal));
        Assert.Equal(expected, await ProjectTablesAsync(migrated));
    }

    [Fact]
    public async Task a_node_that_may_not_change_the_schema_refuses_an_empty_database_naming_the_missing_migration()
    {
        var empty = await TestDatabase.CreateDatabaseAsync();
        await using var node = new LeaderboardApp(empty, Production);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => node.StartAsync());

        var message = Flatten(refused);
        Assert.Contains(MigrationScripts.All[0].Name, message);
        Assert.Contains("migrate", message);
    }

    [Fact]
    public async Task a_node_that_may_not_change_the_schema_refuses_a_database_missing_the_newest_migration()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await MigratorFor(database).ApplyAsync(default);
        await OnMigrationRecordAsync(database, "DELETE FROM leaderboard.schema_migrations WHERE name = @n", MigrationScripts.All[^1].Name);
        await using var node = new LeaderboardApp(database, Production);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => node.StartAsync());

        Assert.Contains($"lacks migration {MigrationScripts.All[^1].Name}", Flatten(refused));
    }

    [Fact]
    public async Task a_migration_edited_after_it_was_applied_is_refused_by_migrate_and_by_a_production_node()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var migrator = MigratorFor(database);
        await migrator.ApplyAsync(default);
        var edited = MigrationScripts.All[^1].Name;
        await OnMigrationRecordAsync(database, "UPDATE leaderboard.schema_migrations SET sha256 = repeat('0', 64) WHERE name = @n", edited);

        var byMigrate = await Assert.ThrowsAsync<SchemaMismatchException>(() => migrator.ApplyAsync(default));
        await using var node = new LeaderboardApp(database, Production);
        var byNode = await Assert.ThrowsAnyAsync<Exception>(() => node.StartAsync());

        Assert.Contains($"Migration {edited} was applied with a different text", byMigrate.Message);
        Assert.Contains($"Migration {edited} was applied with a different text", Flatten(byNode));
    }

    [Fact]
    public async Task migrate_applies_nothing_twice_and_every_script_can_be_run_again_by_hand()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var migrator = MigratorFor(database);
        await migrator.ApplyAsync(default);

        Assert.Empty(await migrator.ApplyAsync(default));
        Assert.Empty(await migrator.MissingAsync(default));
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        foreach (var script in MigrationScripts.All)
        {
            await using var again = new NpgsqlCommand(script.Sql, connection);
            await again.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Logs every DDL command run in the database from now on (an event trigger on
    /// <c>ddl_command_start</c>, which fires even for an <c>IF NOT EXISTS</c> that finds the object).
    /// </summary>
    static async Task LogDdlAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            CREATE TABLE public.ddl_log (tag text NOT NULL, query text NOT NULL);
            CREATE FUNCTION public.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS
                $$ BEGIN INSERT INTO public.ddl_log VALUES (tg_tag, current_query()); END $$;
            CREATE EVENT TRIGGER log_ddl ON ddl_command_start EXECUTE FUNCTION public.log_ddl();
            """, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    static Task<List<string>> LoggedDdlAsync(string database) => TextColumnAsync(database, "SELECT tag || ': ' || query FROM public.ddl_log");

    /// <summary>The first column of every row <paramref name="sql"/> returns, as text.</summary>
    static async Task<List<string>> TextColumnAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        var rows = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    /// <summary>Starts a node and uses what touches the project's tables: boards, scores, a subscription group, retention, a snapshot, history.</summary>
    static async Task UseEverythingAsync(string database, Dictionary<string, string?>? settings)
    {
        await using var node = await new LeaderboardApp(database, settings).StartAsync();
        var api = new Api(node.ClientWith(LeaderboardApp.AdminKey));
        var board = await api.CreateBoardAsync();
        var groups = new Subscriptions.GroupApi(api);
        var group = await groups.CreateAsync(new { boards = new[] { board }, startAt = "beginning" });
        await api.SubmitOkAsync(board, "p1", 10);
        await groups.ReadAtLeastAsync(group, "c1", 1);
        (await api.GetAsync($"/v1/subscriptions/{group}")).AssertStatus(System.Net.HttpStatusCode.OK);
        await node.Services.GetRequiredService<EventLeaderboard.Server.Subscriptions.MessageRetention>().PruneAsync(default);
        (await api.PostAsync($"/v1/admin/leaderboards/{board}/snapshot", new { })).AssertStatus(System.Net.HttpStatusCode.OK);
        (await api.GetAsync($"/v1/leaderboards/{board}/players/p1/history?minSequence=0")).AssertStatus(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_node_that_may_not_change_the_schema_runs_no_ddl_at_start_or_when_subscriptions_are_used()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await MigratorFor(database).ApplyAsync(default);
        await LogDdlAsync(database);

        await UseEverythingAsync(database, Production);

        Assert.Empty(await LoggedDdlAsync(database));
    }

    [Fact]
    public async Task a_development_node_on_a_complete_schema_runs_no_ddl_on_the_projects_tables()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await (await new LeaderboardApp(database).StartAsync()).DisposeAsync();
        await LogDdlAsync(database);

        await UseEverythingAsync(database, null);

        Assert.Empty(await LoggedDdlAsync(database));
    }

    [Fact]
    public async Task a_development_node_gives_a_history_table_from_before_0006_keys_that_compare_bytes_and_keeps_its_rows()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await (await new LeaderboardApp(database).StartAsync()).DisposeAsync();
        await TestDatabase.ExecuteAsync(database, """
            ALTER TABLE leaderboard.player_history
                ALTER COLUMN board_id TYPE text COLLATE "default", ALTER COLUMN player_id TYPE text COLLATE "default";
            INSERT INTO leaderboard.player_history (board_id, player_id, sequence, kind) VALUES ('b', 'p', 1, 1);
            """);
        Assert.Equal(["default", "default"], await HistoryKeyCollationsAsync(database));

        await (await new LeaderboardApp(database).StartAsync()).DisposeAsync();

        Assert.Equal(["C", "C"], await HistoryKeyCollationsAsync(database));
        Assert.Equal(1L, await TestDatabase.ScalarAsync(database, "SELECT count(*) FROM leaderboard.player_history WHERE board_id = 'b' AND player_id = 'p'"));
    }

    [Fact]
    public async Task a_development_node_gives_a_history_table_from_before_0008_the_hashed_key_and_keeps_its_rows()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await (await new LeaderboardApp(database).StartAsync()).DisposeAsync();
        await TestDatabase.ExecuteAsync(database, """
            DROP INDEX leaderboard.player_history_key;
            ALTER TABLE leaderboard.player_history ADD PRIMARY KEY (board_id, player_id, sequence);
            INSERT INTO leaderboard.player_history (board_id, player_id, sequence, kind) VALUES ('b', 'p', 1, 1);
            """);
        Assert.Equal(["player_history_pkey"], await HistoryIndexesAsync(database));

        await (await new LeaderboardApp(database).StartAsync()).DisposeAsync();

        Assert.Equal(["player_history_key"], await HistoryIndexesAsync(database));
        Assert.Equal(1L, await TestDatabase.ScalarAsync(database, "SELECT count(*) FROM leaderboard.player_history WHERE board_id = 'b' AND player_id = 'p'"));
    }

    [Fact]
    public async Task log_events_and_subscription_messages_are_stored_lz4_compressed_by_a_development_node_and_by_the_migrations()
    {
        var created = await TestDatabase.CreateDatabaseAsync();
        var migrated = await TestDatabase.CreateDatabaseAsync();
        var lz4 = (bool)(await TestDatabase.ScalarAsync(created,
            "SELECT coalesce(bool_or('lz4' = ANY(enumvals)), false) FROM pg_settings WHERE name = 'default_toast_compression'"))!;
        Assert.True(lz4, "The test PostgreSQL (Debian's, the official image) is built with lz4; this test needs it.");
        await MigratorFor(migrated).ApplyAsync(default);

        foreach (var (database, settings) in new[] { (created, (Dictionary<string, string?>?)null), (migrated, Production) })
        {
            await using var node = await new LeaderboardApp(database, settings).StartAsync();
            var api = new Api(node.ClientWith(LeaderboardApp.AdminKey));
            var board = await api.CreateBoardAsync();
            // 300 scores make one log event whose body and messages blob are far above TOAST's 2 KB threshold.
            var scores = Enumerable.Range(0, 300).Select(i => new { playerId = $"player-{i}", score = 1000 + i }).ToArray();
            (await api.PostAsync($"/v1/leaderboards/{board}/scores/batch", new { scores })).AssertStatus(System.Net.HttpStatusCode.OK);
            // The messages row is written off the request path, shortly after the answer.
            object? method = null;
            for (var deadline = DateTime.UtcNow.AddSeconds(10); method is not string && DateTime.UtcNow < deadline; await Task.Delay(50))
                method = await TestDatabase.ScalarAsync(database, "SELECT pg_column_compression(body) FROM leaderboard.sub_messages ORDER BY seq_id DESC LIMIT 1");
            Assert.Equal("lz4", method);
            Assert.Equal("lz4", await TestDatabase.ScalarAsync(database,
                "SELECT pg_column_compression(data) FROM leaderboard.mt_events WHERE type = 'scores_submitted' ORDER BY seq_id DESC LIMIT 1"));
        }
    }

    [Theory]
    [InlineData("sub_messages", "body,rare")] // 0007
    [InlineData("mt_events", "data")] // 0009
    public async Task a_development_node_gives_lz4_compression_to_a_table_from_before_it(string table, string columns)
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await (await new LeaderboardApp(database).StartAsync()).DisposeAsync();
        var names = columns.Split(',');
        var methods = $"SELECT string_agg(attcompression::text, ',' ORDER BY attname) FROM pg_attribute WHERE attrelid = 'leaderboard.{table}'::regclass AND attname IN ('{string.Join("', '", names)}')";
        var lz4 = string.Join(',', names.Select(_ => "l"));
        var none = string.Join(',', names.Select(_ => ""));
        Assert.Equal(lz4, await TestDatabase.ScalarAsync(database, methods));
        await TestDatabase.ExecuteAsync(database, $"ALTER TABLE leaderboard.{table} {string.Join(", ", names.Select(c => $"ALTER COLUMN {c} SET COMPRESSION default"))}");
        Assert.Equal(none, await TestDatabase.ScalarAsync(database, methods));

        await (await new LeaderboardApp(database).StartAsync()).DisposeAsync();

        Assert.Equal(lz4, await TestDatabase.ScalarAsync(database, methods));
    }

    static Task<List<string>> HistoryIndexesAsync(string database) =>
        TextColumnAsync(database, "SELECT indexname FROM pg_indexes WHERE schemaname = 'leaderboard' AND tablename = 'player_history' ORDER BY 1");

    static Task<List<string>> HistoryKeyCollationsAsync(string database) => TextColumnAsync(database, """
        SELECT c.collname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
        WHERE a.attrelid = 'leaderboard.player_history'::regclass AND a.attname IN ('board_id', 'player_id') ORDER BY a.attname
        """);

    /// <summary>Runs <paramref name="sql"/> on the record of the migration named @n: what an operator's hand edit would do.</summary>
    static async Task OnMigrationRecordAsync(string database, string sql, string name)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("n", name);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    static string Flatten(Exception e)
    {
        var text = "";
        for (Exception? x = e; x is not null; x = x.InnerException) text += x.Message + "\n";
        if (e is AggregateException a) foreach (var inner in a.InnerExceptions) text += Flatten(inner);
        return text;
    }
}
