namespace EventLeaderboard.Ranking;

/// <summary>
/// Layout of a board snapshot (all integers little-endian; varint = unsigned LEB128).
/// <code>
/// magic      8 bytes  "ELRANKSN"
/// version    u16      1 (a reader rejects versions it does not know)
/// header     fields { varint fieldId (1..), varint length, payload[length] }, then varint 0
///              1 SortOrder     1 byte (enum value)
///              2 UpdatePolicy  1 byte (enum value)
///              3 EntryCount    varint
///              4 MetadataCount varint
///            Field ids are append-only: a reader skips ids it does not know (by length), so new
///            optional fields need no version bump. Fields 1-4 are required.
/// entries    EntryCount x, in rank order:
///              varint shared     bytes shared with the previous id (front coding)
///              varint suffixLen, suffix bytes
///              varint keyDelta   sort key minus the previous one (keys ascend; the first is relative to long.MinValue)
///              varint tieDelta   zigzag(tie - previous tie), previous tie starts at 0
/// metadata   MetadataCount x, ascending position:
///              varint gap        position - previous position - 1 (previous starts at -1)
///              varint length, bytes
/// checksum   8 bytes  XxHash64 of every byte before it
/// </code>
/// The sort key is the score for an ascending board and ~score for a descending one, so keys always
/// ascend in rank order and deltas are small for dense scores.
/// </summary>
internal static class SnapshotFormat
{
    public static ReadOnlySpan<byte> Magic => "ELRANKSN"u8;

    public const ushort Version = 1;

    public const int FieldSortOrder = 1;
    public const int FieldUpdatePolicy = 2;
    public const int FieldEntryCount = 3;
    public const int FieldMetadataCount = 4;

    /// <summary>Smallest possible encoded entry (four one-byte varints, empty suffix): bounds a believable count.</summary>
    public const int MinEntryBytes = 4;

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
