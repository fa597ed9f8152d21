using EventLeaderboard.Server.Infrastructure;
using Npgsql;

namespace EventLeaderboard.Server.Tests.Infrastructure;

public class LocalPostgresTests
{
    [Fact]
    public async Task a_private_cluster_keeps_its_data_across_a_restart()
    {
        var folder = Path.Combine(Path.GetTempPath(), "el-localpg-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using (var first = await LocalPostgres.StartAsync(new LocalPostgresOptions(folder)))
            {
                await TestDatabase.ExecuteAsync(first.ConnectionString, "create table kept (v int); insert into kept values (42);");
            }

            await using var second = await LocalPostgres.StartAsync(new LocalPostgresOptions(folder));
            await using var connection = new NpgsqlConnection(second.ConnectionString);
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand("select v from kept", connection);
            Assert.Equal(42, await read.ExecuteScalarAsync());

            // Sized for the history index's random inserts, not PostgreSQL's 128 MB default.
            var megabytes = await TestDatabase.ScalarAsync(second.ConnectionString,
                "SELECT setting::bigint * 8 / 1024 FROM pg_settings WHERE name = 'shared_buffers'");
            Assert.Equal(LocalPostgres.SharedBuffersMegabytes(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes), megabytes);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(512L << 20, 256)]
    [InlineData(4L << 30, 1024)]
    [InlineData(24L << 30, 2048)]
    public void the_buffers_of_a_private_cluster_are_a_quarter_of_memory_within_256_MB_and_2_GB(long memory, long megabytes) =>
        Assert.Equal(megabytes, LocalPostgres.SharedBuffersMegabytes(memory));

    [Fact]
    public async Task the_superuser_needs_the_generated_password()
    {
        var connectionString = await TestDatabase.CreateDatabaseAsync();
        var withoutPassword = new NpgsqlConnectionStringBuilder(connectionString) { Password = "wrong" }.ConnectionString;

        await using var connection = new NpgsqlConnection(withoutPassword);
        await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
    }

    [Fact]
    public async Task a_command_that_only_builds_the_host_stops_the_private_cluster_it_started()
    {
        var folder = Path.Combine(Path.GetTempPath(), "el-localpg-" + Guid.NewGuid().ToString("N")[..8]);
        var pidFile = Path.Combine(folder, "postmaster.pid");
        try
        {
            // `help` builds the host (which starts the private PostgreSQL) and returns without running it.
            var info = new System.Diagnostics.ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, "help"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetDirectoryName(typeof(Program).Assembly.Location)!,
            };
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            info.Environment["Storage__LocalDataDirectory"] = folder;
            info.Environment.Remove("ConnectionStrings__Postgres");
            using var process = System.Diagnostics.Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            var printed = await output + await errors;

            Assert.True(Directory.Exists(Path.Combine(folder, "base")), "the command should have started the private cluster: " + printed);
            Assert.False(File.Exists(pidFile), "the private PostgreSQL is still running after the command ended: " + printed);
        }
        finally
        {
            // The old behaviour left it running: stop it so the test leaves nothing behind.
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out var pid))
            {
                try { System.Diagnostics.Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { /* already gone */ }
                await Task.Delay(500);
            }
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
