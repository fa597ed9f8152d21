using Npgsql;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// One row of <c>sub_pending_ranges</c>: messages of ONE board taken from the log together (one
/// read, or one split of it), not acknowledged yet. They share a holder, a delivery count and a
/// deadline; <c>deadline</c> null means queued for <see cref="Consumer"/>, not delivered yet.
/// </summary>
/// <remarks>
/// Invariants: <see cref="Ords"/> ascending, <see cref="Ids"/> parallel to it (the messages' ids),
/// never empty (an emptied range is deleted); ranges of one board in one group never overlap, so
/// ordering a board's ranges by their first ordinal orders its messages. A row per range instead
/// of a row per message is what makes a read of 1000 one insert of one row per board, and an ack of
/// 1000 one delete of the few rows they sit in.
/// </remarks>
public sealed record PendingRange(long RangeId, string BoardId, long[] Ords, string[] Ids, int DeliveryCount)
{
    public long FirstOrd => Ords[0];
    public long LastOrd => Ords[^1];

    /// <summary>Reads <c>range_id, board_id, ords, ids, delivery_count</c> starting at column <paramref name="at"/>.</summary>
    public static PendingRange Read(NpgsqlDataReader r, int at = 0) =>
        new(r.GetInt64(at), r.GetString(at + 1), r.GetFieldValue<long[]>(at + 2), r.GetFieldValue<string[]>(at + 3), r.GetInt32(at + 4));

    /// <summary>The ordinal range in the log an ack id can fall in: every ordinal of the log event its sequence names.</summary>
    public static bool TryOrdinalSpan(string id, out long first, out long last)
    {
        first = last = 0;
        if (!LogMessage.TryParseSequence(id, out var sequence)) return false;
        first = sequence / Ingest.LogPosition.ItemsPerEvent * LogMessage.PerEvent;
        last = first + LogMessage.PerEvent - 1;
        return true;
    }
}
