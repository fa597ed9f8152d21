using Npgsql;

namespace EventLeaderboard.Server.Ingest;

/// <summary>
/// A connection that one loop (a group committer, the log follower) keeps open for a statement it
/// runs hundreds of times a second, with that statement prepared on it. A pooled connection costs
/// a <c>DISCARD ALL</c> in PostgreSQL at every reuse (Npgsql's reset) and a parse and plan of the
/// statement at every execution. Not thread-safe: one loop owns it.
/// </summary>
/// <param name="parameters">Fresh parameters for the statement, in order; the loop sets their values before each execution.</param>
public sealed class KeptConnection(NpgsqlDataSource dataSource, string sql, Func<NpgsqlParameter[]> parameters) : IAsyncDisposable
{
    NpgsqlCommand? _command;

    /// <summary>The prepared command on an open connection (<see cref="NpgsqlCommand.Connection"/>); opens and prepares when needed.</summary>
    public async ValueTask<NpgsqlCommand> OpenAsync(CancellationToken ct)
    {
        if (_command is { Connection.State: System.Data.ConnectionState.Open } ready) return ready;
        await DiscardAsync();
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddRange(parameters());
            await command.PrepareAsync(ct);
            return _command = command;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Closes the connection (after a failure, which may leave it mid-protocol, or at shutdown); the next <see cref="OpenAsync"/> takes another from the pool (Npgsql resets a returned connection; a broken one is not returned).</summary>
    public async ValueTask DiscardAsync()
    {
        if (_command is not { } command) return;
        _command = null;
        var connection = command.Connection;
        await command.DisposeAsync();
        if (connection is not null) await connection.DisposeAsync();
    }

    public ValueTask DisposeAsync() => DiscardAsync();
}
