using System.Runtime.CompilerServices;

namespace EventLeaderboard.Ranking;

[InlineArray(OrderTree.Fanout)]
internal struct Int64Block
{
    private long _element;
}

[InlineArray(OrderTree.Fanout)]
internal struct Int32Block
{
    private int _element;
}

[InlineArray(OrderTree.InnerFanout)]
internal struct InnerInt64Block
{
    private long _element;
}

[InlineArray(OrderTree.InnerFanout)]
internal struct InnerInt32Block
{
    private int _element;
}

[InlineArray(OrderTree.InnerFanout)]
internal struct InnerUInt32Block
{
    private uint _element;
}

/// <summary>
/// A leaf of the counted B+-tree: up to <see cref="OrderTree.Fanout"/> items (sort key, tie position,
/// entry = the player's slot in the id index) in ascending order, struct-of-arrays so a search touches only the keys. The header
/// and the first entry indices share a cache line, which the rank scan reads first.
/// </summary>
internal struct LeafNode
{
    public int Count;
    public int Parent; // inner node index, -1 for the root leaf
    public int Next;   // next leaf in key order, -1 at the end
    public int Prev;   // previous leaf in key order, -1 at the start
    public Int32Block Entries;
    public Int64Block Keys;
    public Int64Block Ties;
}

/// <summary>
/// An inner node: child links with their subtree item counts (what makes rank and select O(log n)),
/// and for each child i its lower bound (key, tie, id offset): every item of child i is &gt;= bound i and
/// every item of child i-1 is &lt; bound i. Bound 0 is the node's own lower bound (used when it splits).
/// </summary>
internal struct InnerNode
{
    public int Count;  // children
    public int Parent; // -1 for the root
    public int Level;  // 1: children are leaves; n: children are inner nodes of level n-1
    public InnerInt32Block Children;
    public InnerInt32Block Counts;
    public InnerInt64Block BoundKeys;
    public InnerInt64Block BoundTies;
    public InnerUInt32Block BoundIds;
}
