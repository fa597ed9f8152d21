using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// Makes the derived messages durable: one <c>sub_messages</c> row per log event, written in
/// batches off the follower thread, then the <c>written_up_to</c> watermark. Each row records the
/// kinds it holds (a bit mask) and its rare messages apart, so groups filtered by kind skip rows
/// without reading them (see <see cref="ConsumerGroupStore"/>).
/// </summary>
/// <remarks>
/// Every node derives the same messages, and every node writes them (<c>ON CONFLICT DO NOTHING</c>,
/// watermark raised with <c>GREATEST</c>). So there is no writer to elect and nothing to take over
/// when a node dies: the surviving nodes were writing all along. The watermark is only raised after
/// the rows below it committed, and rows are written in seq_id order by each node, so everything
/// at or below it exists: readers never pass it, which is how a later-committing gap in the log
/// can never be skipped. At start-up a node skips what the watermark says is written already.
/// </remarks>
public sealed class MessageWriter(
    NpgsqlDataSource dataSource,
    SubscriptionSchema schema,
    IOptions<SubscriptionOptions> options,
    ILogger<MessageWriter> logger) : BackgroundService
{
    readonly Channel<Item> _queue = Channel.CreateBounded<Item>(
        new BoundedChannelOptions(options.Value.WriterQueueCapacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    long _writtenUpTo;
    TaskCompletionSource _written = NewSignal();

    /// <summary>Per kind (indexed by its <see cref="MessageKind"/> number), the newest seq_id whose row this node wrote holding it.</summary>
    readonly long[] _lastWithKind = new long[32];

    /// <summary>
    /// The newest seq_id whose messages row this node wrote holding any kind of <paramref name="kindMask"/>
    /// (0 when none since start). Every node writes every row, so up to <see cref="WrittenUpTo"/>
    /// this knows every row, whichever node wrote it first.
    /// </summary>
    public long LastWrittenWithAnyOf(int kindMask)
    {
        long newest = 0;
        for (var bit = 0; bit < _lastWithKind.Length; bit++)
            if ((kindMask & (1 << bit)) != 0) newest = Math.Max(newest, Volatile.Read(ref _lastWithKind[bit]));
        return newest;
    }

    /// <summary>Highest seq_id this node knows to be fully written (its own writes).</summary>
    public long WrittenUpTo => Volatile.Read(ref _writtenUpTo);

    /// <summary>Completes the next time this node raises the watermark.</summary>
    public Task NextWrite => Volatile.Read(ref _written).Task;

    /// <summary>Queues an event's messages (follower thread). Waits when the writer is that far behind: back-pressure, never loss.</summary>
    public void Enqueue(long seqId, LogMessage[] messages) => Put(new Item(seqId, messages));

    /// <summary>Every event up to <paramref name="seqId"/> has been derived and queued.</summary>
    public void Advance(long seqId) => Put(new Item(seqId, null));

    void Put(Item item)
    {
        if (_queue.Writer.TryWrite(item)) return;
        try
        {
            _queue.Writer.WriteAsync(item, _stopping.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // The node is stopping: what is not written stays above the watermark and is derived
            // again at the next start. Never leave the follower blocked on a writer that is gone.
        }
    }

    readonly CancellationTokenSource _stopping = new();

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var known = await schema.EnsureCreatedAsync(stoppingToken);
        Volatile.Write(ref _writtenUpTo, known);
        var rows = new List<Item>();
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                long watermark = -1;
                long bytes = 0;
                while (bytes < 8_000_000 && rows.Count < 512 && reader.TryRead(out var item))
                {
                    if (item.Messages is null) watermark = Math.Max(watermark, item.SeqId);
                    else if (item.SeqId > known)
                    {
                        rows.Add(item);
                        bytes += item.Messages.Length * 64;
                    }
                }
                if (rows.Count == 0 && watermark <= known) continue;
                await WriteWithRetryAsync(rows, Math.Max(watermark, known), stoppingToken);
                known = Math.Max(watermark, known);
                rows.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    async Task WriteWithRetryAsync(List<Item> rows, long watermark, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await WriteAsync(rows, watermark, ct);
                // Before the signal below: a reader woken by it must see which kinds arrived.
                foreach (var row in rows)
                    foreach (var m in row.Messages!)
                    {
                        var bit = (int)m.Kind;
                        if (row.SeqId > _lastWithKind[bit]) Volatile.Write(ref _lastWithKind[bit], row.SeqId);
                    }
                if (watermark > WrittenUpTo) Volatile.Write(ref _writtenUpTo, watermark);
                Interlocked.Exchange(ref _written, NewSignal()).TrySetResult();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "Writing subscription messages failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    async Task WriteAsync(List<Item> rows, long watermark, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (rows.Count > 0)
        {
            var seqIds = new long[rows.Count];
            var last = new long[rows.Count];
            var kinds = new int[rows.Count];
            var bodies = new ArraySegment<byte>[rows.Count];
            var rare = new byte[]?[rows.Count];
            _bodies.SetLength(0);
            for (var i = 0; i < rows.Count; i++)
            {
                var messages = rows[i].Messages!;
                seqIds[i] = rows[i].SeqId;
                last[i] = messages[^1].Sequence;
                foreach (var m in messages) kinds[i] |= MessageKinds.Bit(m.Kind);
                bodies[i] = MessageBlob.Append(_bodies, messages);
                // The rare messages a second time, alone, only where they sit among frequent ones:
                // a row of rare kinds only is small already, and its body serves as is.
                if ((kinds[i] & MessageKinds.FrequentMask) != 0)
                    rare[i] = MessageBlob.EncodeSubset(messages, ~MessageKinds.FrequentMask);
            }
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO {schema.Name}.sub_messages (seq_id, last_sequence, kinds, body, rare) " +
                "SELECT * FROM unnest(@seq, @last, @kinds, @body, @rare) ON CONFLICT DO NOTHING", connection, tx);
            insert.Parameters.AddWithValue("seq", seqIds);
            insert.Parameters.AddWithValue("last", last);
            insert.Parameters.AddWithValue("kinds", kinds);
            insert.Parameters.Add(new NpgsqlParameter("body", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = bodies });
            insert.Parameters.Add(new NpgsqlParameter("rare", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = rare });
            await insert.ExecuteNonQueryAsync(ct);
        }
        await using (var mark = new NpgsqlCommand(
            $"UPDATE {schema.Name}.sub_watermark SET written_up_to = GREATEST(written_up_to, @w) WHERE id = 1", connection, tx))
        {
            mark.Parameters.AddWithValue("w", watermark);
            await mark.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The bodies of one write, one after the other (only this writer's loop uses it). It grows to
    /// the largest write once (the loop bounds a write by an estimate of ~8 MB; at ~217 bytes per
    /// score message a full write can reach a few tens of MB) and is reused: see <see cref="MessageBlob.Append"/>.
    /// </summary>
    readonly MemoryStream _bodies = new();

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    readonly record struct Item(long SeqId, LogMessage[]? Messages);
}
