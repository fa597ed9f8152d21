using System.Buffers.Binary;
using System.IO.Hashing;

namespace EventLeaderboard.Ranking;

public sealed partial class RankingBoard
{
    /// <summary>Largest encoded entry record: four varints of at most 10 bytes and an id suffix.</summary>
    private const int MaxEntryBytes = 40 + PlayerIdCodec.MaxBytes;

    /// <summary>
    /// A read-only copy of the board as it is now, to write its snapshot later on another thread while
    /// writes continue here (<see cref="FrozenRanking.WriteSnapshot"/> writes the same bytes
    /// <see cref="WriteSnapshot"/> would have written now). The copy is the structures' pages copied
    /// whole: 199-213 ms at 10M players (measured in the server), where writing the snapshot walks
    /// every entry in rank order (two cache misses each, about a second). So the writer pauses for the copy, not for the
    /// write, and the process holds the copy's memory until the snapshot is written. The id bytes are
    /// shared, not copied (they never change). Holds the read lock while it copies.
    /// </summary>
    public FrozenRanking Freeze()
    {
        _lock.EnterRead();
        try
        {
            return new FrozenRanking(new RankingBoard(this));
        }
        finally
        {
            _lock.ExitRead();
        }
    }

    /// <summary>
    /// Writes the whole state (sort order, policy, every entry with id, score, tie position, metadata) in
    /// the format described by <see cref="SnapshotFormat"/>. Holds the read lock while it runs, so readers
    /// continue and the writer waits; call it from the writer thread or with writes paused.
    /// </summary>
    public void WriteSnapshot(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        _lock.EnterRead();
        try
        {
            var w = new SnapshotWriter(destination);
            w.WriteBytes(SnapshotFormat.Magic);
            w.WriteUInt16(SnapshotFormat.Version);
            w.WriteField(SnapshotFormat.FieldSortOrder, [(byte)SortOrder]);
            w.WriteField(SnapshotFormat.FieldUpdatePolicy, [(byte)UpdatePolicy]);
            w.WriteVarintField(SnapshotFormat.FieldEntryCount, (ulong)_tree.Count);
            w.WriteVarintField(SnapshotFormat.FieldMetadataCount, (ulong)_metadata.Count);
            w.WriteVarint(0);

            Span<byte> previousId = stackalloc byte[PlayerIdCodec.MaxBytes];
            int previousLength = 0;
            long previousKey = long.MinValue;
            long previousTie = 0;
            List<(int Position, byte[] Bytes)>? metadata = _metadata.Count == 0 ? null : new(_metadata.Count);
            // Software pipeline over leaves: while leaf L is encoded, the id offsets of leaf L+1 are
            // gathered and its ids prefetched. In a board built by applies, rank order is random with
            // respect to entry and arena order, so each item costs two cache misses; overlapping them
            // is what makes a 10M write take about a second instead of several.
            Span<uint> ids = stackalloc uint[OrderTree.Fanout];
            Span<uint> nextIds = stackalloc uint[OrderTree.Fanout];
            int position = 0;
            int leaf = _tree.FirstLeaf;
            GatherIds(leaf, ids);
            while (leaf >= 0)
            {
                int next = _tree.NextLeaf(leaf);
                if (next >= 0) GatherIds(next, nextIds);
                ref LeafNode node = ref _tree.LeafAt(leaf);
                int count = node.Count;
                for (int i = 0; i < count; i++)
                {
                    ReadOnlySpan<byte> id = _players.Arena.Get(ids[i]);
                    int shared = id.CommonPrefixLength(previousId[..previousLength]);
                    long key = node.Keys[i];
                    long tie = node.Ties[i];

                    // One reservation per entry (at most 10 + 10 + 128 + 10 + 10 bytes), fields encoded in place.
                    Span<byte> buffer = w.Reserve(MaxEntryBytes);
                    int n = SnapshotWriter.PutVarint(buffer, 0, (ulong)shared);
                    n = SnapshotWriter.PutVarint(buffer, n, (ulong)(id.Length - shared));
                    id[shared..].CopyTo(buffer[n..]);
                    n += id.Length - shared;
                    n = SnapshotWriter.PutVarint(buffer, n, unchecked((ulong)(key - previousKey)));
                    n = SnapshotWriter.PutVarint(buffer, n, SnapshotFormat.ZigZag(unchecked(tie - previousTie)));
                    w.Advance(n);

                    id.CopyTo(previousId);
                    previousLength = id.Length;
                    previousKey = key;
                    previousTie = tie;

                    if (metadata is not null && _metadata.TryGetValue(ids[i], out byte[]? bytes)) metadata.Add((position, bytes));
                    position++;
                }
                Span<uint> swap = ids;
                ids = nextIds;
                nextIds = swap;
                leaf = next;
            }

            int previousPosition = -1;
            foreach ((int at, byte[] bytes) in metadata ?? [])
            {
                w.WriteVarint((ulong)(at - previousPosition - 1));
                w.WriteVarint((ulong)bytes.Length);
                w.WriteBytes(bytes);
                previousPosition = at;
            }
            w.Finish();
        }
        finally
        {
            _lock.ExitRead();
        }
    }

    /// <summary>Reads the id offsets of a leaf's entries into <paramref name="ids"/> and prefetches the ids.</summary>
    private void GatherIds(int leaf, Span<uint> ids)
    {
        if (leaf < 0) return;
        int count = _tree.LeafCountOf(leaf);
        for (int i = 0; i < count; i++) _players.PrefetchEntry(_tree.EntryAt(leaf, i));
        for (int i = 0; i < count; i++) ids[i] = _players.IdOffsetOf(_tree.EntryAt(leaf, i));
        for (int i = 0; i < count; i++) _players.Arena.PrefetchId(ids[i]);
    }

    /// <summary>
    /// Restores a board written by <see cref="WriteSnapshot"/> in O(n): entries arrive in rank order and
    /// the tree is built bottom-up. The board is built privately and returned only after the checksum
    /// matches, so a bad input never yields a half-loaded board. Reads ahead in 64 KiB blocks, so the
    /// stream may be left positioned past the snapshot's last byte.
    /// </summary>
    /// <exception cref="SnapshotFormatException">Corrupt, truncated or unknown-version input.</exception>
    public static RankingBoard ReadSnapshot(Stream source) => ReadSnapshot(source, null);

    /// <summary>
    /// <see cref="ReadSnapshot(Stream)"/> from a stream that cannot seek but whose length the caller
    /// knows (a snapshot streamed out of a database row of known size). Knowing it lets the reader
    /// size the id index for the whole entry count at once, as it does for a seekable stream; a
    /// stream of unknown length only gets a bounded presize (a corrupt count must not allocate
    /// gigabytes before the data runs out), and growing the index to 10M players step by step
    /// rehashes every id several times.
    /// </summary>
    /// <param name="sourceLength">Bytes from the stream's current position to the snapshot's end; a
    /// wrong value fails the read as truncated or is caught by the checksum, never trusted further.</param>
    public static RankingBoard ReadSnapshot(Stream source, long? sourceLength)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            return ReadSnapshotCore(new SnapshotReader(source, sourceLength));
        }
        catch (SnapshotFormatException)
        {
            throw;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or OverflowException or IndexOutOfRangeException)
        {
            throw new SnapshotFormatException("Corrupt snapshot: " + ex.Message, ex);
        }
    }

    private static RankingBoard ReadSnapshotCore(SnapshotReader r)
    {
        if (!r.ReadBytes(SnapshotFormat.Magic.Length).SequenceEqual(SnapshotFormat.Magic))
            throw new SnapshotFormatException("Not a ranking snapshot: the magic bytes do not match.");
        ushort version = r.ReadUInt16();
        if (version != SnapshotFormat.Version)
            throw new SnapshotFormatException($"Unknown snapshot format version {version}; this build reads version {SnapshotFormat.Version}.");

        int? sortOrder = null, policy = null;
        ulong? entryCount = null, metadataCount = null;
        while (true)
        {
            ulong field = r.ReadVarint();
            if (field == 0) break;
            ulong length = r.ReadVarint();
            if (length > 4096) throw new SnapshotFormatException($"Corrupt snapshot: header field {field} claims {length} bytes.");
            ReadOnlySpan<byte> payload = r.ReadBytes((int)length);
            switch (field)
            {
                case SnapshotFormat.FieldSortOrder: sortOrder = SingleByte(payload, field); break;
                case SnapshotFormat.FieldUpdatePolicy: policy = SingleByte(payload, field); break;
                case SnapshotFormat.FieldEntryCount: entryCount = VarintPayload(payload, field); break;
                case SnapshotFormat.FieldMetadataCount: metadataCount = VarintPayload(payload, field); break;
                default: break; // an optional field from a newer writer: skipped by its length
            }
        }
        if (sortOrder is null || policy is null || entryCount is null || metadataCount is null)
            throw new SnapshotFormatException("Corrupt snapshot: a required header field is missing.");
        if (!Enum.IsDefined((SortOrder)sortOrder.Value) || !Enum.IsDefined((UpdatePolicy)policy.Value))
            throw new SnapshotFormatException("Corrupt snapshot: unknown sort order or update policy.");
        if (entryCount > (ulong)PlayerIndex.MaxEntries || metadataCount > entryCount)
            throw new SnapshotFormatException($"Corrupt snapshot: {entryCount} entries / {metadataCount} metadata blobs is impossible.");
        int count = (int)entryCount.Value;
        if (r.Remaining is long remaining && remaining < (long)count * SnapshotFormat.MinEntryBytes)
            throw new SnapshotFormatException("Truncated snapshot: the input is shorter than its entry count requires.");

        // Presize for the whole count only when the input's length vouches for it: a corrupt count in a
        // non-seekable stream must not allocate gigabytes before the data runs out.
        int presize = r.Remaining is null ? Math.Min(count, 1 << 20) : count;
        var board = new RankingBoard((SortOrder)sortOrder.Value, (UpdatePolicy)policy.Value, presize);
        // Entries are decoded in batches: each batch's probe slots are prefetched before any is used, so
        // the random reads of the id index (the one cache-missing step of a restore) overlap.
        const int batch = 32;
        const int idStride = PlayerIdCodec.MaxBytes;
        Span<byte> ids = stackalloc byte[batch * idStride];
        Span<int> lengths = stackalloc int[batch];
        Span<long> keys = stackalloc long[batch];
        Span<long> ties = stackalloc long[batch];
        Span<ulong> hashes = stackalloc ulong[batch];
        Span<byte> carry = stackalloc byte[idStride]; // the last id of the previous batch (front coding)
        int carryLength = 0;
        long previousKey = long.MinValue;
        long previousTie = 0;
        for (int start = 0; start < count; start += batch)
        {
            int n = Math.Min(batch, count - start);
            for (int j = 0; j < n; j++)
            {
                int at = start + j;
                ReadOnlySpan<byte> previousId = j == 0 ? carry[..carryLength] : ids.Slice((j - 1) * idStride, lengths[j - 1]);
                Span<byte> current = ids.Slice(j * idStride, idStride);
                ulong shared = r.ReadVarint();
                ulong suffix = r.ReadVarint();
                if (shared > (ulong)previousId.Length || shared + suffix is 0 or > PlayerIdCodec.MaxBytes)
                    throw new SnapshotFormatException($"Corrupt snapshot: bad id length at entry {at}.");
                previousId[..(int)shared].CopyTo(current);
                r.ReadBytes((int)suffix).CopyTo(current[(int)shared..]);
                int length = (int)(shared + suffix);
                ReadOnlySpan<byte> playerId = current[..length];

                ulong keyDelta = r.ReadVarint();
                if (at > 0 && keyDelta > unchecked((ulong)(long.MaxValue - previousKey)))
                    throw new SnapshotFormatException($"Corrupt snapshot: sort key overflows at entry {at}.");
                long key = unchecked(previousKey + (long)keyDelta);
                long tie = unchecked(previousTie + SnapshotFormat.UnZigZag(r.ReadVarint()));
                bool ordered = at == 0 || keyDelta > 0 || tie > previousTie
                    || (tie == previousTie && playerId.SequenceCompareTo(previousId) > 0);
                if (!ordered) throw new SnapshotFormatException($"Corrupt snapshot: entries out of order at entry {at}.");

                lengths[j] = length;
                keys[j] = key;
                ties[j] = tie;
                hashes[j] = PlayerIndex.Hash(playerId);
                board._players.PrefetchSlot(hashes[j]);
                previousKey = key;
                previousTie = tie;
            }
            for (int j = 0; j < n; j++)
            {
                int entry = board._players.TryAdd(ids.Slice(j * idStride, lengths[j]), hashes[j]);
                if (entry < 0) throw new SnapshotFormatException($"Corrupt snapshot: duplicate player id at entry {start + j}.");
                board._tree.AppendSorted(entry, keys[j], ties[j]);
            }
            ids.Slice((n - 1) * idStride, lengths[n - 1]).CopyTo(carry);
            carryLength = lengths[n - 1];
        }
        board._tree.EndBuild();

        int previousPosition = -1;
        for (ulong m = 0; m < metadataCount; m++)
        {
            ulong gap = r.ReadVarint();
            ulong length = r.ReadVarint();
            long position = previousPosition + 1L + (long)Math.Min(gap, (ulong)int.MaxValue);
            if (position >= count || length is 0 or > MaxMetadataBytes)
                throw new SnapshotFormatException("Corrupt snapshot: bad metadata record.");
            byte[] bytes = r.ReadBytes((int)length).ToArray();
            board._tree.Select((int)position, out int leaf, out int slot);
            board._metadata[board._players.IdOffsetOf(board._tree.EntryAt(leaf, slot))] = bytes;
            previousPosition = (int)position;
        }

        r.VerifyChecksum();
        return board;
    }

    private static int SingleByte(ReadOnlySpan<byte> payload, ulong field) =>
        payload.Length == 1 ? payload[0] : throw new SnapshotFormatException($"Corrupt snapshot: header field {field} must be one byte.");

    private static ulong VarintPayload(ReadOnlySpan<byte> payload, ulong field)
    {
        ulong value = 0;
        for (int i = 0, shift = 0; i < payload.Length && shift < 64; i++, shift += 7)
        {
            value |= (ulong)(payload[i] & 0x7F) << shift;
            if (payload[i] < 0x80) return i == payload.Length - 1 ? value : throw new SnapshotFormatException($"Corrupt snapshot: header field {field}.");
        }
        throw new SnapshotFormatException($"Corrupt snapshot: header field {field} is not a varint.");
    }

    /// <summary>
    /// Every entry in rank order (1-based ranks). Lazy and unlocked: call it from the writer thread or with
    /// writes paused (verify and checksums do).
    /// </summary>
    public IEnumerable<RankedEntry> EnumerateInRankOrder()
    {
        long rank = 1;
        for (int leaf = _tree.FirstLeaf; leaf >= 0; leaf = _tree.NextLeaf(leaf))
        {
            int count = _tree.LeafCountOf(leaf);
            for (int i = 0; i < count; i++)
            {
                int e = _tree.EntryAt(leaf, i);
                yield return new RankedEntry(PlayerIdCodec.Decode(_players.IdOf(e)), ToKey(_tree.KeyAt(leaf, i)), rank++, _tree.TieAt(leaf, i), MetadataOf(e));
            }
        }
    }

    /// <summary>
    /// XxHash64 over (id length, id UTF-8 bytes, score, tie position) of every entry in rank order (integers
    /// little-endian). Equal contents give equal checksums whatever the board's history; metadata, sort order
    /// and policy are not included. Takes the read lock.
    /// </summary>
    public ulong ComputeContentChecksum()
    {
        _lock.EnterRead();
        try
        {
            var hash = new XxHash64();
            Span<byte> record = stackalloc byte[1 + PlayerIdCodec.MaxBytes + 16];
            for (int leaf = _tree.FirstLeaf; leaf >= 0; leaf = _tree.NextLeaf(leaf))
            {
                int count = _tree.LeafCountOf(leaf);
                for (int i = 0; i < count; i++)
                {
                    ReadOnlySpan<byte> id = _players.IdOf(_tree.EntryAt(leaf, i));
                    record[0] = (byte)id.Length;
                    id.CopyTo(record[1..]);
                    BinaryPrimitives.WriteInt64LittleEndian(record[(1 + id.Length)..], ToKey(_tree.KeyAt(leaf, i)));
                    BinaryPrimitives.WriteInt64LittleEndian(record[(9 + id.Length)..], _tree.TieAt(leaf, i));
                    hash.Append(record[..(17 + id.Length)]);
                }
            }
            return hash.GetCurrentHashAsUInt64();
        }
        finally
        {
            _lock.ExitRead();
        }
    }
}
