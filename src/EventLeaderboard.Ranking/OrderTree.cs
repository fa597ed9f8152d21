using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace EventLeaderboard.Ranking;

/// <summary>
/// A counted B+-tree over items (key, tie, entry): the order-statistic index of one board.
/// </summary>
/// <remarks>
/// <para>Ordering rule (total): key ascending, then tie ascending, then the player id's UTF-8 bytes
/// (ordinal). The key is the score mapped so that "better" is always smaller: the score itself for an
/// ascending board, <c>~score</c> for a descending one (bitwise NOT reverses the order without overflow).
/// Ties are global log positions and unique in practice; the id comparison only keeps the order total.</para>
/// <para>Invariants (checked by <see cref="ValidateInvariants"/>):
/// all leaves at the same depth; items strictly ascending along the leaf chain;
/// every inner count equals its child's item count; bounds separate siblings (see <see cref="InnerNode"/>);
/// parent links and the leaf chain agree with the child links; every item's entry points back to its leaf;
/// no leaf is empty except an empty root.</para>
/// <para>Positions are 0-based here; the board turns them into 1-based ranks.</para>
/// <para>Nodes live in paged struct arrays with int links (no object per node). An entry is the player's
/// slot in the <see cref="PlayerIndex"/>, which holds the player's leaf (maintained on splits and merges),
/// so a rank is: slot -> leaf -> scan the leaf -> walk up
/// summing the counts of left siblings; no key comparisons and no id reads.</para>
/// </remarks>
internal sealed partial class OrderTree
{
    /// <summary>Items per leaf. 64 x (8+8+4) bytes: a leaf is ~1.3 KiB; wide leaves keep the per-item overhead low.</summary>
    public const int Fanout = 64;

    /// <summary>
    /// Children per inner node. Narrower than a leaf: walking up reads the children and counts of one
    /// node per level, and at 32 each of those arrays is two cache lines instead of four, for the same
    /// height at 10M players (4 inner levels).
    /// </summary>
    public const int InnerFanout = 32;

    /// <summary>Fill of a leaf built from sorted input: leaves room for inserts before the first split.</summary>
    private const int BuildFill = 56;

    /// <summary>Fill of an inner node built from sorted input.</summary>
    private const int InnerBuildFill = 28;

    /// <summary>A leaf this small tries to merge with a sibling (keeps memory per item bounded under removals).</summary>
    private const int MergeBelow = Fanout / 4;

    private readonly PlayerIndex _players;
    private readonly ChunkedArray<LeafNode> _leaves;  // 1024 leaves (~1.3 MiB) per page
    private readonly ChunkedArray<InnerNode> _inners; // 64 inner nodes (~58 KiB) per page
    private readonly Stack<int> _freeLeaves;
    private readonly Stack<int> _freeInners;
    private int _leafHighWater;
    private int _innerHighWater;
    private int _root;
    private int _height; // 0: the root is a leaf
    private int _firstLeaf;

    public OrderTree(PlayerIndex players)
    {
        _players = players;
        _leaves = new(10);
        _inners = new(6);
        _freeLeaves = new();
        _freeInners = new();
        _root = NewLeaf();
        _firstLeaf = _root;
    }

    private OrderTree(OrderTree source, PlayerIndex players)
    {
        _players = players;
        _leaves = source._leaves.CopyPrefix(source._leafHighWater);
        _inners = source._inners.CopyPrefix(source._innerHighWater);
        // A stack enumerates from the top; the constructor pushes in that order, so reverse it once more.
        _freeLeaves = new Stack<int>(source._freeLeaves.Reverse());
        _freeInners = new Stack<int>(source._freeInners.Reverse());
        _leafHighWater = source._leafHighWater;
        _innerHighWater = source._innerHighWater;
        _root = source._root;
        _height = source._height;
        _firstLeaf = source._firstLeaf;
        Count = source.Count;
    }

    /// <summary>
    /// A copy of the whole tree over <paramref name="players"/> (a copy of this tree's index): node
    /// pages are copied whole, so it costs a memory copy of the tree, not a walk of its items.
    /// </summary>
    public OrderTree CopyOver(PlayerIndex players) => new(this, players);

    /// <summary>Number of items.</summary>
    public int Count { get; private set; }

    public int Height => _height;

    public long AllocatedBytes => _leaves.AllocatedBytes + _inners.AllocatedBytes;

    public int LeafCount => _leafHighWater - _freeLeaves.Count;

    // ------------------------------------------------------------------ comparisons

    /// <summary>Compares two items under the ordering rule; ids are arena offsets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Compare(long key1, long tie1, uint id1, long key2, long tie2, uint id2)
    {
        if (key1 != key2) return key1 < key2 ? -1 : 1;
        if (tie1 != tie2) return tie1 < tie2 ? -1 : 1;
        return id1 == id2 ? 0 : CompareIds(id1, id2);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int CompareIds(uint id1, uint id2)
    {
        int c = _players.Arena.Get(id1).SequenceCompareTo(_players.Arena.Get(id2));
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }

    private uint IdOfItem(ref LeafNode leaf, int position) => _players.IdOffsetOf(leaf.Entries[position]);

    // ------------------------------------------------------------------ reads

    /// <summary>
    /// Hints the CPU to fetch a whole leaf (~1.3 KiB, 21 lines, one or two pages). A rank reads the header
    /// and entries (to find the item), then the item's key and tie lines, whose place depends on what the
    /// scan finds: fetching every line at once turns those two dependent misses into one. Measured at 3M
    /// players: 5-15% off a rank compared with fetching only the header and entries.
    /// </summary>
    public void PrefetchLeaf(int leaf) => Prefetch.Range(ref _leaves[leaf], LeafBytes);

    private static readonly int LeafBytes = Unsafe.SizeOf<LeafNode>();

    /// <summary>Hints the CPU to fetch the lines of an inner node that the walk up reads: header, children, counts.</summary>
    private void PrefetchInner(int node)
    {
        // Header, children and counts are contiguous (12 + 128 + 128 bytes): every line of that range.
        Prefetch.Range(ref _inners[node], InnerWalkBytes);
    }

    /// <summary>Header, children and counts of an inner node: what <see cref="PositionOf"/> reads per level.</summary>
    private static readonly int InnerWalkBytes = OffsetOfInnerBounds();

    private static int OffsetOfInnerBounds()
    {
        var node = new InnerNode();
        return (int)Unsafe.ByteOffset(ref Unsafe.As<InnerNode, byte>(ref node), ref Unsafe.As<InnerInt64Block, byte>(ref node.BoundKeys));
    }

    /// <summary>Where an entry's item is: its leaf and its position in the leaf.</summary>
    public void Locate(int entry, out int leaf, out int position)
    {
        leaf = _players.LeafOf(entry);
        ref LeafNode node = ref _leaves[leaf];
        if (node.Parent >= 0) PrefetchInner(node.Parent); // overlaps the leaf scan below
        position = ((ReadOnlySpan<int>)node.Entries)[..node.Count].IndexOf(entry);
        Debug.Assert(position >= 0, "an entry's leaf holds it");
        // Every caller reads the item's key and tie next, after the walk up: make sure both lines are on
        // their way (the lookup prefetched the whole leaf; other callers did not).
        Prefetch.Read(ref node.Keys[position]);
        Prefetch.Read(ref node.Ties[position]);
    }

    public long KeyAt(int leaf, int position) => _leaves[leaf].Keys[position];

    public long TieAt(int leaf, int position) => _leaves[leaf].Ties[position];

    public int EntryAt(int leaf, int position) => _leaves[leaf].Entries[position];

    public int LeafCountOf(int leaf) => _leaves[leaf].Count;

    /// <summary>Direct access to a leaf for bulk reads (valid until the next write).</summary>
    public ref LeafNode LeafAt(int leaf) => ref _leaves[leaf];

    public int NextLeaf(int leaf) => _leaves[leaf].Next;

    /// <summary>Moves (leaf, position) <paramref name="count"/> items towards the start along the leaf chain (the items must exist).</summary>
    public void StepBack(ref int leaf, ref int position, int count)
    {
        while (count > position)
        {
            count -= position + 1;
            leaf = _leaves[leaf].Prev;
            Debug.Assert(leaf >= 0, "stepped back past the first item");
            position = _leaves[leaf].Count - 1;
        }
        position -= count;
    }

    /// <summary>Renames the item of <paramref name="oldEntry"/> in <paramref name="leaf"/> (the id index moved that player's slot).</summary>
    public void ReplaceEntry(int leaf, int oldEntry, int newEntry)
    {
        ref LeafNode node = ref _leaves[leaf];
        int position = ((ReadOnlySpan<int>)node.Entries)[..node.Count].IndexOf(oldEntry);
        Debug.Assert(position >= 0, "an entry's leaf holds it");
        node.Entries[position] = newEntry;
    }

    /// <summary>0-based position of the item at (leaf, position) in the whole order.</summary>
    public int PositionOf(int leaf, int position)
    {
        int rank = position;
        int child = leaf;
        int parent = _leaves[leaf].Parent;
        if (parent >= 0) PrefetchInner(parent);
        while (parent >= 0)
        {
            ref InnerNode node = ref _inners[parent];
            ReadOnlySpan<int> children = ((ReadOnlySpan<int>)node.Children)[..node.Count];
            int slot = children.IndexOf(child);
            child = parent;
            parent = node.Parent;
            if (parent >= 0) PrefetchInner(parent); // in flight while this level's counts are summed
            rank += SumCounts(ref node, slot);
        }
        return rank;
    }

    /// <summary>The leaf and in-leaf position of the item at 0-based <paramref name="rank"/> (0 &lt;= rank &lt; Count).</summary>
    public void Select(int rank, out int leaf, out int position)
    {
        Debug.Assert(rank >= 0 && rank < Count);
        int node = _root;
        for (int h = _height; h > 0; h--)
        {
            ref InnerNode inner = ref _inners[node];
            int i = 0;
            while (rank >= inner.Counts[i])
            {
                rank -= inner.Counts[i];
                i++;
            }
            node = inner.Children[i];
        }
        leaf = node;
        position = rank;
    }

    /// <summary>Number of items whose key is strictly less than <paramref name="key"/>.</summary>
    public int CountKeysBelow(long key)
    {
        CountKeysBelow(key, key, out int below, out _);
        return below;
    }

    /// <summary>
    /// <see cref="CountKeysBelow(long)"/> for two keys at once. The two descents advance level by level
    /// together, so their cache misses (one inner node and one leaf each at the bottom) overlap instead of
    /// queuing: a range count costs about as much as one descent.
    /// </summary>
    public void CountKeysBelow(long low, long high, out int belowLow, out int belowHigh)
    {
        int a = _root, b = _root;
        int countA = 0, countB = 0;
        for (int h = _height; h > 0; h--)
        {
            ref InnerNode nodeA = ref _inners[a];
            ref InnerNode nodeB = ref _inners[b];
            // Last child whose lower bound is < key: every earlier child lies entirely below key.
            // Bounds 1..Count-1 ascend; the number of them below key is that child's slot.
            int slotA = SortedSearch.CountBelow(((ReadOnlySpan<long>)nodeA.BoundKeys)[1..nodeA.Count], low);
            int slotB = SortedSearch.CountBelow(((ReadOnlySpan<long>)nodeB.BoundKeys)[1..nodeB.Count], high);
            a = nodeA.Children[slotA];
            b = nodeB.Children[slotB];
            countA += SumCounts(ref nodeA, slotA);
            countB += SumCounts(ref nodeB, slotB);
        }
        ref LeafNode leafA = ref _leaves[a];
        ref LeafNode leafB = ref _leaves[b];
        belowLow = countA + SortedSearch.CountBelow(((ReadOnlySpan<long>)leafA.Keys)[..leafA.Count], low);
        belowHigh = countB + SortedSearch.CountBelow(((ReadOnlySpan<long>)leafB.Keys)[..leafB.Count], high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SumCounts(ref InnerNode node, int slots) => SortedSearch.Sum(((ReadOnlySpan<int>)node.Counts)[..slots]);

    // ------------------------------------------------------------------ writes

    /// <summary>
    /// Inserts the item of <paramref name="entry"/>, which must not be in the tree, and returns its 0-based
    /// position: the counts of the children left of the path, summed on the way down, plus the position in
    /// the leaf (a split moves items between leaves but not in the order, so it does not change it).
    /// </summary>
    public int Insert(int entry, long key, long tie)
    {
        uint id = _players.IdOffsetOf(entry);
        int node = _root;
        int before = 0;
        for (int h = _height; h > 0; h--)
        {
            ref InnerNode inner = ref _inners[node];
            int slot = ChildFor(ref inner, key, tie, id);
            before += SumCounts(ref inner, slot);
            inner.Counts[slot]++; // the item will land below this child (a split fixes the counts up)
            node = inner.Children[slot];
        }
        ref LeafNode leaf = ref _leaves[node];
        int position = InsertPosition(ref leaf, key, tie, id);
        if (leaf.Count < Fanout)
        {
            PutInLeaf(ref leaf, node, position, entry, key, tie);
        }
        else
        {
            SplitLeafAndPut(node, position, entry, key, tie);
        }
        Count++;
        return before + position;
    }

    /// <summary>Removes the item at (leaf, position).</summary>
    public void RemoveAt(int leafIndex, int position)
    {
        ref LeafNode leaf = ref _leaves[leafIndex];
        int tail = leaf.Count - position - 1;
        ((Span<int>)leaf.Entries).Slice(position + 1, tail).CopyTo(((Span<int>)leaf.Entries)[position..]);
        ((Span<long>)leaf.Keys).Slice(position + 1, tail).CopyTo(((Span<long>)leaf.Keys)[position..]);
        ((Span<long>)leaf.Ties).Slice(position + 1, tail).CopyTo(((Span<long>)leaf.Ties)[position..]);
        leaf.Count--;
        AddToAncestors(leafIndex, leaf.Parent, -1);
        Count--;
        if (leaf.Count < MergeBelow && leaf.Parent >= 0) Rebalance(leafIndex);
    }

    /// <summary>
    /// Replaces the key and tie of the item at (leaf, position) when the new item still sorts strictly
    /// between its two neighbours in the same leaf: no counts or bounds change. False otherwise.
    /// </summary>
    public bool TryUpdateInPlace(int leafIndex, int position, long key, long tie)
    {
        ref LeafNode leaf = ref _leaves[leafIndex];
        if (position == 0 || position >= leaf.Count - 1) return false;
        uint id = IdOfItem(ref leaf, position);
        if (Compare(leaf.Keys[position - 1], leaf.Ties[position - 1], IdOfItem(ref leaf, position - 1), key, tie, id) >= 0) return false;
        if (Compare(key, tie, id, leaf.Keys[position + 1], leaf.Ties[position + 1], IdOfItem(ref leaf, position + 1)) >= 0) return false;
        leaf.Keys[position] = key;
        leaf.Ties[position] = tie;
        return true;
    }

    private int ChildFor(ref InnerNode inner, long key, long tie, uint id)
    {
        // Last child whose lower bound is <= the item. Bounds with a smaller key all qualify (counted with
        // SIMD); bounds with an equal key need the full comparison (tie, then id), which is rare.
        int slot = SortedSearch.CountBelow(((ReadOnlySpan<long>)inner.BoundKeys)[1..inner.Count], key);
        while (slot + 1 < inner.Count && inner.BoundKeys[slot + 1] == key
               && Compare(inner.BoundKeys[slot + 1], inner.BoundTies[slot + 1], inner.BoundIds[slot + 1], key, tie, id) <= 0)
        {
            slot++;
        }
        return slot;
    }

    private int InsertPosition(ref LeafNode leaf, long key, long tie, uint id)
    {
        // First position whose item is greater than the new one.
        int position = SortedSearch.CountBelow(((ReadOnlySpan<long>)leaf.Keys)[..leaf.Count], key);
        while (position < leaf.Count && leaf.Keys[position] == key
               && Compare(leaf.Keys[position], leaf.Ties[position], IdOfItem(ref leaf, position), key, tie, id) < 0)
        {
            position++;
        }
        return position;
    }

    private void PutInLeaf(ref LeafNode leaf, int leafIndex, int position, int entry, long key, long tie)
    {
        int tail = leaf.Count - position;
        ((Span<int>)leaf.Entries).Slice(position, tail).CopyTo(((Span<int>)leaf.Entries)[(position + 1)..]);
        ((Span<long>)leaf.Keys).Slice(position, tail).CopyTo(((Span<long>)leaf.Keys)[(position + 1)..]);
        ((Span<long>)leaf.Ties).Slice(position, tail).CopyTo(((Span<long>)leaf.Ties)[(position + 1)..]);
        leaf.Entries[position] = entry;
        leaf.Keys[position] = key;
        leaf.Ties[position] = tie;
        leaf.Count++;
        _players.SetLeaf(entry, leafIndex);
    }

    private void SplitLeafAndPut(int leftIndex, int position, int entry, long key, long tie)
    {
        int rightIndex = NewLeaf();
        ref LeafNode left = ref _leaves[leftIndex];
        ref LeafNode right = ref _leaves[rightIndex];
        const int half = Fanout / 2;
        MoveItems(ref left, half, ref right, 0, Fanout - half, rightIndex);
        left.Count = half;
        right.Count = Fanout - half;

        right.Parent = left.Parent;
        right.Prev = leftIndex;
        right.Next = left.Next;
        if (left.Next >= 0) _leaves[left.Next].Prev = rightIndex;
        left.Next = rightIndex;

        if (position <= half) PutInLeaf(ref left, leftIndex, position, entry, key, tie);
        else PutInLeaf(ref right, rightIndex, position - half, entry, key, tie);

        AddSibling(left.Parent, leftIndex, left.Count, rightIndex, right.Count,
            right.Keys[0], right.Ties[0], IdOfItem(ref right, 0), childIsLeaf: true);
    }

    /// <summary>Copies <paramref name="count"/> items and points their entries at the destination leaf.</summary>
    private void MoveItems(ref LeafNode from, int fromPosition, ref LeafNode to, int toPosition, int count, int toIndex)
    {
        ((Span<int>)from.Entries).Slice(fromPosition, count).CopyTo(((Span<int>)to.Entries)[toPosition..]);
        ((Span<long>)from.Keys).Slice(fromPosition, count).CopyTo(((Span<long>)to.Keys)[toPosition..]);
        ((Span<long>)from.Ties).Slice(fromPosition, count).CopyTo(((Span<long>)to.Ties)[toPosition..]);
        for (int i = 0; i < count; i++) _players.SetLeaf(to.Entries[toPosition + i], toIndex);
    }

    /// <summary>
    /// After <paramref name="left"/> split, records its new count and inserts <paramref name="right"/> just
    /// after it in <paramref name="parent"/>, splitting ancestors as needed. The ancestors' counts already
    /// include the new item (Insert added it on the way down).
    /// </summary>
    private void AddSibling(int parent, int left, int leftCount, int right, int rightCount,
        long boundKey, long boundTie, uint boundId, bool childIsLeaf)
    {
        if (parent < 0)
        {
            // The root split: grow the tree by one level.
            int root = NewInner();
            ref InnerNode r = ref _inners[root];
            r.Parent = -1;
            r.Level = _height + 1;
            r.Count = 2;
            r.Children[0] = left;
            r.Counts[0] = leftCount;
            r.Children[1] = right;
            r.Counts[1] = rightCount;
            r.BoundKeys[1] = boundKey;
            r.BoundTies[1] = boundTie;
            r.BoundIds[1] = boundId;
            r.BoundKeys[0] = long.MinValue;
            r.BoundTies[0] = long.MinValue;
            SetParent(left, root, childIsLeaf);
            SetParent(right, root, childIsLeaf);
            _root = root;
            _height++;
            return;
        }

        ref InnerNode p = ref _inners[parent];
        int slot = ((ReadOnlySpan<int>)p.Children)[..p.Count].IndexOf(left);
        Debug.Assert(slot >= 0);
        p.Counts[slot] = leftCount;
        if (p.Count < InnerFanout)
        {
            PutChild(ref p, slot + 1, right, rightCount, boundKey, boundTie, boundId);
            SetParent(right, parent, childIsLeaf);
            return;
        }

        // Split the full parent into p (children [0, half)) and q (children [half, InnerFanout)).
        int sibling = NewInner();
        p = ref _inners[parent]; // NewInner may have moved the first page
        ref InnerNode q = ref _inners[sibling];
        const int half = InnerFanout / 2;
        int moved = InnerFanout - half;
        ((Span<int>)p.Children).Slice(half, moved).CopyTo(q.Children);
        ((Span<int>)p.Counts).Slice(half, moved).CopyTo(q.Counts);
        ((Span<long>)p.BoundKeys).Slice(half, moved).CopyTo(q.BoundKeys);
        ((Span<long>)p.BoundTies).Slice(half, moved).CopyTo(q.BoundTies);
        ((Span<uint>)p.BoundIds).Slice(half, moved).CopyTo(q.BoundIds);
        p.Count = half;
        q.Count = moved;
        q.Level = p.Level;
        q.Parent = p.Parent;
        for (int i = 0; i < moved; i++) SetParent(q.Children[i], sibling, childIsLeaf);

        if (slot + 1 <= half)
        {
            PutChild(ref p, slot + 1, right, rightCount, boundKey, boundTie, boundId);
            SetParent(right, parent, childIsLeaf);
        }
        else
        {
            PutChild(ref q, slot + 1 - half, right, rightCount, boundKey, boundTie, boundId);
            SetParent(right, sibling, childIsLeaf);
        }

        AddSibling(p.Parent, parent, SumCounts(ref p, p.Count), sibling, SumCounts(ref q, q.Count),
            q.BoundKeys[0], q.BoundTies[0], q.BoundIds[0], childIsLeaf: false);
    }

    private static void PutChild(ref InnerNode node, int slot, int child, int count, long boundKey, long boundTie, uint boundId)
    {
        int tail = node.Count - slot;
        ((Span<int>)node.Children).Slice(slot, tail).CopyTo(((Span<int>)node.Children)[(slot + 1)..]);
        ((Span<int>)node.Counts).Slice(slot, tail).CopyTo(((Span<int>)node.Counts)[(slot + 1)..]);
        ((Span<long>)node.BoundKeys).Slice(slot, tail).CopyTo(((Span<long>)node.BoundKeys)[(slot + 1)..]);
        ((Span<long>)node.BoundTies).Slice(slot, tail).CopyTo(((Span<long>)node.BoundTies)[(slot + 1)..]);
        ((Span<uint>)node.BoundIds).Slice(slot, tail).CopyTo(((Span<uint>)node.BoundIds)[(slot + 1)..]);
        node.Children[slot] = child;
        node.Counts[slot] = count;
        node.BoundKeys[slot] = boundKey;
        node.BoundTies[slot] = boundTie;
        node.BoundIds[slot] = boundId;
        node.Count++;
    }

    private static void DropChild(ref InnerNode node, int slot)
    {
        // Shifting bound 1 into bound 0 when child 0 goes is fine: any lower bound of the node will do.
        int tail = node.Count - slot - 1;
        ((Span<int>)node.Children).Slice(slot + 1, tail).CopyTo(((Span<int>)node.Children)[slot..]);
        ((Span<int>)node.Counts).Slice(slot + 1, tail).CopyTo(((Span<int>)node.Counts)[slot..]);
        ((Span<long>)node.BoundKeys).Slice(slot + 1, tail).CopyTo(((Span<long>)node.BoundKeys)[slot..]);
        ((Span<long>)node.BoundTies).Slice(slot + 1, tail).CopyTo(((Span<long>)node.BoundTies)[slot..]);
        ((Span<uint>)node.BoundIds).Slice(slot + 1, tail).CopyTo(((Span<uint>)node.BoundIds)[slot..]);
        node.Count--;
    }

    private void SetParent(int child, int parent, bool childIsLeaf)
    {
        if (childIsLeaf) _leaves[child].Parent = parent;
        else _inners[child].Parent = parent;
    }

    private void AddToAncestors(int child, int parent, int delta)
    {
        while (parent >= 0)
        {
            ref InnerNode node = ref _inners[parent];
            int slot = ((ReadOnlySpan<int>)node.Children)[..node.Count].IndexOf(child);
            node.Counts[slot] += delta;
            child = parent;
            parent = node.Parent;
        }
    }

    /// <summary>
    /// Keeps leaves reasonably full after removals: an underfull leaf takes in (or gives itself to) an
    /// adjacent sibling under the same parent when both fit in 3/4 of a leaf; an empty leaf with no
    /// sibling is dropped, and inner nodes left without children are dropped up the tree.
    /// </summary>
    private void Rebalance(int leafIndex)
    {
        ref LeafNode leaf = ref _leaves[leafIndex];
        int parent = leaf.Parent;
        ref InnerNode p = ref _inners[parent];
        int slot = ((ReadOnlySpan<int>)p.Children)[..p.Count].IndexOf(leafIndex);
        const int mergeLimit = Fanout * 3 / 4;
        if (slot + 1 < p.Count && leaf.Count + p.Counts[slot + 1] <= mergeLimit)
        {
            MergeIntoLeft(parent, slot);
        }
        else if (slot > 0 && leaf.Count + p.Counts[slot - 1] <= mergeLimit)
        {
            MergeIntoLeft(parent, slot - 1);
        }
        else if (leaf.Count == 0)
        {
            UnlinkLeaf(leafIndex);
            DropChildAndCollapse(parent, slot);
        }
    }

    /// <summary>Moves every item of child slot+1 (a leaf) into child slot, then drops the emptied leaf.</summary>
    private void MergeIntoLeft(int parent, int slot)
    {
        ref InnerNode p = ref _inners[parent];
        int leftIndex = p.Children[slot];
        int rightIndex = p.Children[slot + 1];
        ref LeafNode left = ref _leaves[leftIndex];
        ref LeafNode right = ref _leaves[rightIndex];
        MoveItems(ref right, 0, ref left, left.Count, right.Count, leftIndex);
        left.Count += right.Count;
        p.Counts[slot] += right.Count;
        right.Count = 0;
        UnlinkLeaf(rightIndex);
        DropChildAndCollapse(parent, slot + 1);
    }

    private void UnlinkLeaf(int leafIndex)
    {
        ref LeafNode leaf = ref _leaves[leafIndex];
        if (leaf.Prev >= 0) _leaves[leaf.Prev].Next = leaf.Next;
        else _firstLeaf = leaf.Next;
        if (leaf.Next >= 0) _leaves[leaf.Next].Prev = leaf.Prev;
        leaf.Next = leaf.Prev = leaf.Parent = -1;
        _freeLeaves.Push(leafIndex);
    }

    /// <summary>Drops a child (already emptied and freed) from an inner node, then repairs the tree above.</summary>
    private void DropChildAndCollapse(int parent, int slot)
    {
        while (true)
        {
            ref InnerNode p = ref _inners[parent];
            DropChild(ref p, slot);
            if (p.Count > 0) break;
            // The inner node is empty: remove it from its own parent.
            int grand = p.Parent;
            Debug.Assert(grand >= 0, "the root keeps at least one child (it collapses at one)");
            _freeInners.Push(parent);
            ref InnerNode g = ref _inners[grand];
            slot = ((ReadOnlySpan<int>)g.Children)[..g.Count].IndexOf(parent);
            parent = grand;
        }
        // A root with a single child is replaced by that child.
        while (_height > 0 && _inners[_root].Count == 1)
        {
            int child = _inners[_root].Children[0];
            _freeInners.Push(_root);
            _root = child;
            _height--;
            SetParent(child, -1, _height == 0);
        }
    }

    private int NewLeaf()
    {
        int index;
        if (_freeLeaves.Count > 0) index = _freeLeaves.Pop();
        else
        {
            if (_leafHighWater > PlayerIndex.MaxLeaf) throw new InvalidOperationException("The tree has as many leaves as the id index can address.");
            index = _leafHighWater++;
            _leaves.EnsureCapacity(_leafHighWater);
        }
        ref LeafNode leaf = ref _leaves[index];
        leaf.Count = 0;
        leaf.Parent = leaf.Next = leaf.Prev = -1;
        return index;
    }

    private int NewInner()
    {
        int index;
        if (_freeInners.Count > 0) index = _freeInners.Pop();
        else
        {
            index = _innerHighWater++;
            _inners.EnsureCapacity(_innerHighWater);
        }
        ref InnerNode node = ref _inners[index];
        node.Count = 0;
        node.Parent = -1;
        return index;
    }
}
