namespace EventLeaderboard.Ranking;

internal sealed partial class OrderTree
{
    /// <summary>
    /// Checks every structural invariant (see the class remarks) in O(n); throws <see cref="InvalidOperationException"/>
    /// naming the first violation. For tests: too slow for production paths.
    /// </summary>
    public void ValidateInvariants()
    {
        int items = CheckSubtree(_root, _height, -1, out _, out _, out _);
        Check(items == Count, $"tree holds {items} items but Count is {Count}");

        // Leaf chain: ascending items, entries point back, chain covers every item.
        int seen = 0;
        int prev = -1;
        bool havePrevious = false;
        long pk = 0, pt = 0;
        uint pid = 0;
        for (int leaf = _firstLeaf; leaf >= 0; leaf = _leaves[leaf].Next)
        {
            ref LeafNode node = ref _leaves[leaf];
            Check(node.Prev == prev, $"leaf {leaf} has Prev {node.Prev}, expected {prev}");
            Check(node.Count > 0 || (leaf == _root && Count == 0), $"leaf {leaf} is empty");
            for (int i = 0; i < node.Count; i++)
            {
                uint id = IdOfItem(ref node, i);
                if (havePrevious) Check(Compare(pk, pt, pid, node.Keys[i], node.Ties[i], id) < 0, $"items out of order at leaf {leaf} position {i}");
                Check(_players.LeafOf(node.Entries[i]) == leaf, $"entry {node.Entries[i]} does not point back to leaf {leaf}");
                (pk, pt, pid, havePrevious) = (node.Keys[i], node.Ties[i], id, true);
                seen++;
            }
            prev = leaf;
        }
        Check(seen == Count, $"leaf chain holds {seen} items but Count is {Count}");
    }

    /// <summary>Returns the item count of the subtree; outputs its first item.</summary>
    private int CheckSubtree(int node, int level, int parent, out long firstKey, out long firstTie, out uint firstId)
    {
        if (level == 0)
        {
            ref LeafNode leaf = ref _leaves[node];
            Check(leaf.Parent == parent, $"leaf {node} has parent {leaf.Parent}, expected {parent}");
            Check(leaf.Count is >= 0 and <= Fanout, $"leaf {node} count {leaf.Count}");
            if (leaf.Count > 0) (firstKey, firstTie, firstId) = (leaf.Keys[0], leaf.Ties[0], IdOfItem(ref leaf, 0));
            else (firstKey, firstTie, firstId) = (0, 0, 0);
            return leaf.Count;
        }
        ref InnerNode inner = ref _inners[node];
        Check(inner.Parent == parent, $"inner {node} has parent {inner.Parent}, expected {parent}");
        Check(inner.Level == level, $"inner {node} has level {inner.Level}, expected {level}");
        Check(inner.Count is >= 1 and <= InnerFanout, $"inner {node} has {inner.Count} children");
        Check(parent >= 0 || inner.Count >= 2, "the inner root has a single child");
        int total = 0;
        (firstKey, firstTie, firstId) = (0, 0, 0);
        long lastK = 0, lastT = 0;
        uint lastI = 0;
        for (int i = 0; i < inner.Count; i++)
        {
            int n = CheckSubtree(inner.Children[i], level - 1, node, out long k, out long t, out uint id);
            Check(n == inner.Counts[i], $"inner {node} child {i} count {inner.Counts[i]} but subtree holds {n}");
            Check(n > 0, $"inner {node} child {i} is empty");
            if (i == 0) (firstKey, firstTie, firstId) = (k, t, id);
            if (i > 0)
            {
                // bound i <= first item of child i, and bound i > last item of child i-1
                Check(Compare(inner.BoundKeys[i], inner.BoundTies[i], inner.BoundIds[i], k, t, id) <= 0, $"inner {node} bound {i} above its child");
                Check(Compare(lastK, lastT, lastI, inner.BoundKeys[i], inner.BoundTies[i], inner.BoundIds[i]) < 0, $"inner {node} bound {i} not above child {i - 1}");
            }
            LastItem(inner.Children[i], level - 1, out lastK, out lastT, out lastI);
            total += n;
        }
        return total;
    }

    private void LastItem(int node, int level, out long key, out long tie, out uint id)
    {
        while (level > 0)
        {
            ref InnerNode inner = ref _inners[node];
            node = inner.Children[inner.Count - 1];
            level--;
        }
        ref LeafNode leaf = ref _leaves[node];
        int last = leaf.Count - 1;
        (key, tie, id) = (leaf.Keys[last], leaf.Ties[last], IdOfItem(ref leaf, last));
    }

    private static void Check(bool condition, string message)
    {
        if (!condition) throw new InvalidOperationException("Ranking tree invariant violated: " + message);
    }
}
