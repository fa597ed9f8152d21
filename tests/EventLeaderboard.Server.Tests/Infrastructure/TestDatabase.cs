using System.Diagnostics;
using System.Globalization;
using EventLeaderboard.Server.Infrastructure;
using Npgsql;
using Testcontainers.PostgreSql;

namespace EventLeaderboard.Server.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server for the whole test run, and a fresh empty database on it for each caller.
/// A Testcontainers container when a Docker engine answers, else a private throwaway cluster
/// from the local PostgreSQL binaries (started once per test run, stopped when the run ends).
/// </summary>
public static class TestDatabase
{
    static readonly SemaphoreSlim Gate = new(1, 1);
    static string? _adminConnectionString;

    /// <summary>Runs <paramref name="sql"/> (one or more statements) on the database.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row <paramref name="sql"/> returns.</summary>
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Creates a new empty database and returns a connection string to it.</summary>
    public static async Task<string> CreateDatabaseAsync(string? name = null)
    {
        var admin = await AdminConnectionStringAsync();
        name ??= "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    static async Task<string> AdminConnectionStringAsync()
    {
        if (_adminConnectionString is not null) return _adminConnectionString;
        await Gate.WaitAsync();
        try
        {
            _adminConnectionString ??= await StartServerAsync();
            return _adminConnectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    static async Task<string> StartServerAsync()
    {
        if (await TryStartContainerAsync() is { } containerConnection) return containerConnection;

        await SweepLeftoverClustersAsync();
        // The folder names its owner before the cluster exists, so that a concurrent test run's
        // sweep never mistakes a cluster being created for a leftover.
        var folder = Path.Combine(Path.GetTempPath(), ClusterPrefix + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var local = await LocalPostgres.StartAsync(new LocalPostgresOptions(Path.Combine(folder, "data"), Throwaway: true));
        // Stop the cluster when the test host exits. The test runner may cut the host short, so a
        // later run also sweeps clusters whose owning test process is gone.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            local.StopAsync().GetAwaiter().GetResult();
            DeleteQuietly(folder);
        };
        return local.AdminConnectionString;
    }

    const string ClusterPrefix = "el-test-pg-";
    const string OwnerFile = "test-run-owner.pid";

    static async Task SweepLeftoverClustersAsync()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), ClusterPrefix + "*"))
        {
            var ownerFile = Path.Combine(folder, OwnerFile);
            if (!File.Exists(ownerFile) || !int.TryParse(File.ReadAllText(ownerFile), out var owner) || ProcessIsAlive(owner))
                continue; // being created right now, or its test run is still going
            var data = Path.Combine(folder, "data");
            if (File.Exists(Path.Combine(data, "PG_VERSION")))
            {
                try
                {
                    // Adopts the cluster if it still runs (its owner was killed), then stops it.
                    var leftover = await LocalPostgres.StartAsync(new LocalPostgresOptions(data, Throwaway: true));
                    await leftover.StopAsync();
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or NpgsqlException)
                {
                    // Could not start or stop it: the folder is deleted below all the same.
                }
            }
            DeleteQuietly(folder);
        }
    }

    static void DeleteQuietly(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    static bool ProcessIsAlive(int pid)
    {
        try { return !Process.GetProcessById(pid).HasExited; }
        catch (ArgumentException) { return false; }
    }

    static async Task<string?> TryStartContainerAsync()
    {
        if (!DockerEngineAnswers()) return null;
        try
        {
            var container = new PostgreSqlBuilder("postgres:15").Build();
            await container.StartAsync();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return container.GetConnectionString();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"Docker engine did not start a PostgreSQL container ({e.Message}); using local binaries.");
            return null;
        }
    }

    /// <summary>Cheap check before asking Testcontainers, whose discovery is slow when nothing answers.</summary>
    static bool DockerEngineAnswers()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host)) return true;
        return File.Exists("/var/run/docker.sock");
    }
}
