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
                await ExecuteAsync(first.ConnectionString, "create table kept (v int); insert into kept values (42);");
            }

            await using var second = await LocalPostgres.StartAsync(new LocalPostgresOptions(folder));
            await using var connection = new NpgsqlConnection(second.ConnectionString);
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand("select v from kept", connection);
            Assert.Equal(42, await read.ExecuteScalarAsync());
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task the_superuser_needs_the_generated_password()
    {
        var connectionString = await TestDatabase.CreateDatabaseAsync();
        var withoutPassword = new NpgsqlConnectionStringBuilder(connectionString) { Password = "wrong" }.ConnectionString;

        await using var connection = new NpgsqlConnection(withoutPassword);
        await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
    }

    static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
