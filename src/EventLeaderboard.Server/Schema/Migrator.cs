using EventLeaderboard.Server.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.Schema;

/// <summary>
/// Applies <see cref="MigrationScripts"/> and records each in <c>leaderboard.schema_migrations</c>
/// (name, sha256, applied_at). Each script runs in its own transaction together with its record,
/// under an advisory lock, so two nodes or two <c>migrate</c> runs never apply one twice. The
/// scripts are idempotent too (IF NOT EXISTS throughout), so re-running one by hand is harmless.
/// </summary>
public sealed class Migrator(NpgsqlDataSource dataSource, IOptions<StorageOptions> storage, ILogger<Migrator> logger)
{
    /// <summary>"LBMIGR" in ASCII.</summary>
    const long LockKey = 0x4C424D494752;

    const string Table = MigrationScripts.Schema + ".schema_migrations";

    /// <summary>Applies every script not recorded yet; returns their names.</summary>
    public async Task<List<string>> ApplyAsync(CancellationToken ct)
    {
        CheckSchemaName();
        var applied = new List<string>();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var setup = new NpgsqlCommand(
            $"SELECT pg_advisory_lock({LockKey}); CREATE SCHEMA IF NOT EXISTS {MigrationScripts.Schema}; " +
            $"CREATE TABLE IF NOT EXISTS {Table} (name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());", connection))
            await setup.ExecuteNonQueryAsync(ct);
        try
        {
            var done = await RecordedAsync(connection, ct);
            RefuseEdited(done);
            foreach (var script in MigrationScripts.All)
            {
                if (done.ContainsKey(script.Name)) continue;
                await using var tx = await connection.BeginTransactionAsync(ct);
                await using (var run = new NpgsqlCommand(script.Sql, connection, tx)) await run.ExecuteNonQueryAsync(ct);
                await using (var record = new NpgsqlCommand($"INSERT INTO {Table} (name, sha256) VALUES (@n, @h)", connection, tx))
                {
                    record.Parameters.AddWithValue("n", script.Name);
                    record.Parameters.AddWithValue("h", script.Sha256);
                    await record.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                logger.LogInformation("Applied migration {Name}", script.Name);
                applied.Add(script.Name);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
        return applied;
    }

    /// <summary>The scripts this build expects that the database has not recorded, in order.</summary>
    public async Task<List<string>> MissingAsync(CancellationToken ct)
    {
        CheckSchemaName();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var exists = new NpgsqlCommand($"SELECT to_regclass('{Table}') IS NOT NULL", connection))
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!) return MigrationScripts.All.Select(s => s.Name).ToList();
        var done = await RecordedAsync(connection, ct);
        RefuseEdited(done);
        return MigrationScripts.All.Where(s => !done.ContainsKey(s.Name)).Select(s => s.Name).ToList();
    }

    static async Task<Dictionary<string, string>> RecordedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var done = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand($"SELECT name, sha256 FROM {Table}", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) done[reader.GetString(0)] = reader.GetString(1);
        return done;
    }

    /// <summary>
    /// A script recorded as applied whose text differs from the one in this build was edited after it
    /// ran somewhere: the database may not have what the edited script creates, and re-running it is
    /// not what migrations promise. Refuse, naming it, rather than report the schema as current.
    /// </summary>
    static void RefuseEdited(Dictionary<string, string> recorded)
    {
        foreach (var script in MigrationScripts.All)
            if (recorded.TryGetValue(script.Name, out var sha256) && !sha256.Equals(script.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new SchemaMismatchException(
                    $"Migration {script.Name} was applied with a different text (sha256 {sha256}) from this build's ({script.Sha256}). " +
                    "An applied migration must never be edited: restore its original text and put the change in a new numbered migration.");
    }

    void CheckSchemaName()
    {
        if (storage.Value.Schema != MigrationScripts.Schema)
            throw new InvalidOperationException(
                $"migrations/ is written for the schema '{MigrationScripts.Schema}', but Storage:Schema is '{storage.Value.Schema}'.");
    }
}
