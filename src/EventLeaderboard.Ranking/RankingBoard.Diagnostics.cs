namespace EventLeaderboard.Ranking;

public sealed partial class RankingBoard
{
    /// <summary>How far <see cref="RankStages"/> runs a rank lookup (benchmarks only); the last is the whole lookup as the board does it.</summary>
    internal enum RankStage { Encode, Lock, Probe, LeafScan, WalkUp, Overlapped }

    /// <summary>Runs a rank lookup up to <paramref name="stage"/> and returns something that depends on it, so the JIT keeps it.</summary>
    internal long RankStages(string playerId, RankStage stage)
    {
        Span<byte> buffer = stackalloc byte[PlayerIdCodec.BufferSize];
        if (!PlayerIdCodec.TryEncode(playerId, buffer, out int length)) return -1;
        ReadOnlySpan<byte> id = buffer[..length];
        ulong hash = PlayerIndex.Hash(id);
        if (stage == RankStage.Encode) return (long)hash;
        _lock.EnterRead();
        try
        {
            if (stage == RankStage.Lock) return (long)hash;
            if (stage == RankStage.Overlapped) return TryLocate(id, hash, out Located item) ? item.Rank0 + item.Key + item.Tie : -1;
            int e = _players.Find(id, hash);
            if (stage == RankStage.Probe || e < 0) return e;
            _tree.Locate(e, out int leaf, out int position);
            if (stage == RankStage.LeafScan) return position + _tree.KeyAt(leaf, position) + _tree.TieAt(leaf, position);
            return _tree.PositionOf(leaf, position) + _tree.KeyAt(leaf, position) + _tree.TieAt(leaf, position);
        }
        finally
        {
            _lock.ExitRead();
        }
    }
}
