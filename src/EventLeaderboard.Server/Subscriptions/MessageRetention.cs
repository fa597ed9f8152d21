using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// Deletes <c>sub_messages</c> rows nobody can need any more. A row goes when BOTH hold: it is older
/// than <see cref="SubscriptionOptions.RetentionHours"/> (so <c>startAt</c>, reset and a stream's
/// <c>Last-Event-ID</c> keep their meaning for that long), and it lies below what every group still
/// needs: every group's cursor and every pending range (their messages are read back from these
/// rows). A dead letter keeps only its own row, not everything after it: one message that failed
/// weeks ago must not keep a table that grows by ~70 bytes per score from shrinking. An abandoned
/// group keeps the table growing: delete it.
/// </summary>
/// <remarks>
/// Every node runs it; the deletes are idempotent, so there is nothing to elect. It deletes in
/// chunks in seq_id order, and stops at the first chunk that is not entirely old enough, so a run
/// over a table whose oldest rows are still retained reads one index page, not the table.
/// </remarks>
public sealed class MessageRetention(
    NpgsqlDataSource dataSource,
    SubscriptionSchema schema,
    IOptions<SubscriptionOptions> options,
    ILogger<MessageRetention> logger) : BackgroundService
{
    const int Chunk = 5000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.Value.RetentionCheckSeconds));
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var deleted = await PruneAsync(stoppingToken);
                    if (deleted > 0) logger.LogDebug("Retention deleted {Rows} subscription message rows", deleted);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Pruning subscription messages failed; trying again later");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass; returns the number of rows deleted.</summary>
    public async Task<long> PruneAsync(CancellationToken ct)
    {
        await schema.EnsureCreatedAsync(ct);
        var s = schema.Name;
        long total = 0;
        while (true)
        {
            await using var cmd = dataSource.CreateCommand($"""
                WITH bound AS (
                    SELECT least(
                        (SELECT written_up_to FROM {s}.sub_watermark WHERE id = 1),
                        (SELECT min(cursor) / {LogMessage.PerEvent} FROM {s}.sub_groups),
                        (SELECT min(first_ord) / {LogMessage.PerEvent} FROM {s}.sub_pending_ranges)) AS seq_id),
                oldest AS (
                    SELECT m.seq_id, m.written_at FROM {s}.sub_messages m
                    WHERE m.seq_id < (SELECT seq_id FROM bound)
                      AND NOT EXISTS (SELECT FROM {s}.sub_dead d WHERE d.ord / {LogMessage.PerEvent} = m.seq_id)
                    ORDER BY m.seq_id LIMIT {Chunk})
                DELETE FROM {s}.sub_messages m USING oldest o
                WHERE m.seq_id = o.seq_id AND o.written_at < now() - make_interval(secs => @retention)
                """);
            cmd.Parameters.AddWithValue("retention", options.Value.RetentionHours * 3600.0);
            var deleted = await cmd.ExecuteNonQueryAsync(ct);
            total += deleted;
            if (deleted < Chunk) return total;
        }
    }
}
