namespace EventLeaderboard.Ranking;

internal sealed partial class OrderTree
{
    private int _buildLeaf = -1;
    private List<int>? _builtLeaves;

    public int FirstLeaf => _firstLeaf;

    /// <summary>
    /// Appends an item during an O(n) bottom-up build (snapshot restore): items must arrive in strictly
    /// ascending order into an empty tree, then <see cref="EndBuild"/> builds the inner levels.
    /// Leaves are filled to <see cref="BuildFill"/> so the first inserts do not split every leaf.
    /// </summary>
    public void AppendSorted(int entry, long key, long tie)
    {
        if (_builtLeaves is null)
        {
            if (Count != 0) throw new InvalidOperationException("A bulk build needs an empty tree.");
            _builtLeaves = [_root];
            _buildLeaf = _root;
        }
        ref LeafNode leaf = ref _leaves[_buildLeaf];
        if (leaf.Count == BuildFill)
        {
            int next = NewLeaf();
            leaf = ref _leaves[_buildLeaf]; // NewLeaf may have moved the first page
            leaf.Next = next;
            _leaves[next].Prev = _buildLeaf;
            _buildLeaf = next;
            _builtLeaves.Add(next);
            leaf = ref _leaves[next];
        }
        int position = leaf.Count++;
        leaf.Entries[position] = entry;
        leaf.Keys[position] = key;
        leaf.Ties[position] = tie;
        _players.SetLeaf(entry, _buildLeaf);
        Count++;
    }

    /// <summary>Builds the inner levels over the appended leaves, each node filled evenly.</summary>
    public void EndBuild()
    {
        if (_builtLeaves is null) return;
        List<int> level = _builtLeaves;
        _builtLeaves = null;
        bool childrenAreLeaves = true;
        int height = 0;
        while (level.Count > 1)
        {
            int groups = (level.Count + InnerBuildFill - 1) / InnerBuildFill;
            var parents = new List<int>(groups);
            int start = 0;
            for (int g = 0; g < groups; g++)
            {
                // Spread children evenly so the last node is not nearly empty.
                int end = (int)((long)level.Count * (g + 1) / groups);
                int parent = NewInner();
                ref InnerNode node = ref _inners[parent];
                node.Level = height + 1;
                node.Parent = -1;
                for (int i = start; i < end; i++)
                {
                    int child = level[i];
                    int slot = node.Count++;
                    node.Children[slot] = child;
                    if (childrenAreLeaves)
                    {
                        ref LeafNode leaf = ref _leaves[child];
                        node.Counts[slot] = leaf.Count;
                        node.BoundKeys[slot] = leaf.Keys[0];
                        node.BoundTies[slot] = leaf.Ties[0];
                        node.BoundIds[slot] = IdOfItem(ref leaf, 0);
                        leaf.Parent = parent;
                    }
                    else
                    {
                        ref InnerNode inner = ref _inners[child];
                        node.Counts[slot] = SumCounts(ref inner, inner.Count);
                        node.BoundKeys[slot] = inner.BoundKeys[0];
                        node.BoundTies[slot] = inner.BoundTies[0];
                        node.BoundIds[slot] = inner.BoundIds[0];
                        inner.Parent = parent;
                    }
                }
                parents.Add(parent);
                start = end;
            }
            level = parents;
            childrenAreLeaves = false;
            height++;
        }
        _root = level[0];
        _height = height;
    }
}
