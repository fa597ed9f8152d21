using System.Collections.Concurrent;
using EventLeaderboard.Server.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace EventLeaderboard.Server.Snapshots;

/// <summary>A stored snapshot's metadata (its bytes are read with <see cref="SnapshotStore.OpenRead"/>).</summary>
public sealed record StoredSnapshot(long Id, string BoardId, long SeqId, string Node, DateTimeOffset TakenAt, int Players, long SizeBytes, long Checksum);

/// <summary>Reads and writes board snapshots in PostgreSQL (see <see cref="SnapshotTables"/>).</summary>
public sealed class SnapshotStore(NpgsqlDataSource dataSource, IOptions<StorageOptions> storage)
{
    readonly string _s = storage.Value.Schema;

    public string Schema => _s;

    /// <summary>Creates the tables if missing (development; production applies migrations/ instead).</summary>
    public async Task EnsureTablesAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"CREATE SCHEMA IF NOT EXISTS {_s};" + SnapshotTables.CreateSql(_s));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Creates the tables only where the node may change the schema (see <see cref="Schema.SchemaGuard"/>).</summary>
    public Task EnsureTablesIfAllowedAsync(IServiceProvider services, CancellationToken ct) =>
        services.GetRequiredService<Schema.SchemaGuard>().EnsureAsync(ct);

    /// <summary>
    /// Stores one snapshot in a single transaction (row, then chunks by binary COPY): readers see
    /// all of it or nothing, whatever happens to this process meanwhile.
    /// </summary>
    public async Task<long> SaveAsync(CapturedSnapshot snapshot, string node, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        long id;
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO {_s}.{SnapshotTables.Snapshots} (board_id, seq_id, node, attempt, players, size_bytes, checksum) " +
            "VALUES (@b, @seq, @node, @attempt, @players, @size, @checksum) RETURNING id", connection, tx))
        {
            insert.Parameters.AddWithValue("b", snapshot.BoardId);
            insert.Parameters.AddWithValue("seq", snapshot.SeqId);
            insert.Parameters.AddWithValue("node", node);
            insert.Parameters.AddWithValue("attempt", Guid.NewGuid());
            insert.Parameters.AddWithValue("players", snapshot.Players);
            insert.Parameters.AddWithValue("size", snapshot.Bytes.Length);
            insert.Parameters.AddWithValue("checksum", snapshot.Bytes.Checksum);
            id = (long)(await insert.ExecuteScalarAsync(ct))!;
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"COPY {_s}.{SnapshotTables.Chunks} (snapshot_id, chunk_no, bytes) FROM STDIN (FORMAT BINARY)", ct))
        {
            var chunks = snapshot.Bytes.Chunks;
            for (var i = 0; i < chunks.Count; i++)
            {
                var length = i == chunks.Count - 1 ? snapshot.Bytes.LastChunkLength : chunks[i].Length;
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(id, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(i, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(new ReadOnlyMemory<byte>(chunks[i], 0, length), NpgsqlDbType.Bytea, ct);
            }
            await copy.CompleteAsync(ct);
        }
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>Snapshots, newest first per board (by seq_id, then id); <paramref name="boardId"/> null for all boards.</summary>
    public async Task<List<StoredSnapshot>> ListAsync(string? boardId, long maxSeqId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            $"SELECT id, board_id, seq_id, node, taken_at, players, size_bytes, checksum FROM {_s}.{SnapshotTables.Snapshots} " +
            "WHERE (@b::text IS NULL OR board_id = @b) AND seq_id <= @max ORDER BY board_id, seq_id DESC, id DESC");
        cmd.Parameters.Add(new NpgsqlParameter("b", NpgsqlDbType.Text) { Value = (object?)boardId ?? DBNull.Value });
        cmd.Parameters.AddWithValue("max", maxSeqId);
        var list = new List<StoredSnapshot>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            list.Add(new StoredSnapshot(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt32(5), reader.GetInt64(6), reader.GetInt64(7)));
        return list;
    }

    /// <summary>
    /// The snapshot's bytes as a stream. Chunks are fetched on another thread a few ahead of the
    /// reader, so the download overlaps the parse (two cores).
    /// </summary>
    public Stream OpenRead(long snapshotId) => new ChunkReadStream(dataSource, _s, snapshotId);

    /// <summary>Deletes all but the newest <paramref name="keep"/> snapshots of the board (chunks cascade).</summary>
    public async Task<int> PruneAsync(string boardId, int keep, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            $"DELETE FROM {_s}.{SnapshotTables.Snapshots} WHERE board_id = @b AND id NOT IN " +
            $"(SELECT id FROM {_s}.{SnapshotTables.Snapshots} WHERE board_id = @b ORDER BY seq_id DESC, id DESC LIMIT @keep)");
        cmd.Parameters.AddWithValue("b", boardId);
        cmd.Parameters.AddWithValue("keep", Math.Max(1, keep));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <remarks>
    /// Chunk buffers are pooled: a fresh 4 MiB array per chunk is a large-object allocation, and
    /// dozens of them during a restore trigger full collections of a heap that is meanwhile
    /// growing by a whole board.
    /// </remarks>
    sealed class ChunkReadStream : ForwardReadStream
    {
        readonly BlockingCollection<(byte[] Buffer, int Length)> _chunks = new(boundedCapacity: 4);
        readonly CancellationTokenSource _stop = new();
        readonly Task _producer;
        byte[]? _current;
        int _length;
        int _position;

        public ChunkReadStream(NpgsqlDataSource dataSource, string schema, long snapshotId)
        {
            _producer = Task.Run(() =>
            {
                try
                {
                    using var cmd = dataSource.CreateCommand($"SELECT bytes FROM {schema}.{SnapshotTables.Chunks} WHERE snapshot_id = @id ORDER BY chunk_no");
                    cmd.Parameters.AddWithValue("id", snapshotId);
                    using var reader = cmd.ExecuteReader(System.Data.CommandBehavior.SequentialAccess);
                    while (reader.Read())
                    {
                        using var bytes = reader.GetStream(0);
                        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Max(bytes.Length, 1));
                        bytes.ReadExactly(buffer, 0, (int)bytes.Length);
                        _chunks.Add((buffer, (int)bytes.Length), _stop.Token);
                    }
                }
                finally
                {
                    _chunks.CompleteAdding();
                }
            });
        }

        public override int Read(Span<byte> buffer)
        {
            while (_current is null || _position == _length)
            {
                if (_current is not null) System.Buffers.ArrayPool<byte>.Shared.Return(_current);
                _current = null;
                if (!_chunks.TryTake(out var next, Timeout.Infinite))
                {
                    // Completed: rethrow a read failure rather than report a clean end of stream.
                    if (_producer.IsFaulted) throw new IOException("Reading snapshot chunks failed.", _producer.Exception);
                    return 0;
                }
                (_current, _length, _position) = (next.Buffer, next.Length, 0);
            }
            var n = Math.Min(buffer.Length, _length - _position);
            _current.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _stop.Cancel();
                try { _producer.Wait(); } catch (AggregateException) { /* cancelled or failed: already reported */ }
                _chunks.Dispose();
                _stop.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
