namespace EventLeaderboard.Ranking;

/// <summary>
/// Player ids stored once, as UTF-8, length-prefixed (one byte: ids are at most 128 bytes), in 1 MiB pages.
/// An id's handle is its 32-bit offset, so the arena holds at most 4 GiB. The arena is append-only:
/// the bytes at an offset never change, which lets tree separators keep offsets of removed players and
/// lets readers decode ids without racing the writer. Removed ids stay as garbage until the board is
/// rebuilt from a snapshot (restore writes a compact arena).
/// </summary>
internal sealed class IdArena
{
    private const int PageShift = 20;
    private const int PageSize = 1 << PageShift;
    private const int MaxPages = 4096; // 4096 x 1 MiB = the 4 GiB a uint offset can address
    private const int FirstPageMinimum = 1024; // the first page doubles up to 1 MiB: small boards stay small

    private byte[][] _pages = new byte[4][];
    private int _pageCount;
    private int _position;

    /// <summary>Appends an id and returns its offset.</summary>
    public uint Append(ReadOnlySpan<byte> id)
    {
        System.Diagnostics.Debug.Assert(id.Length is > 0 and <= byte.MaxValue);
        int needed = id.Length + 1;
        if (_pageCount == 1 && _pages[0].Length < PageSize && _position + needed > _pages[0].Length)
        {
            // Offsets are (page << 20) | position, so growing page 0 in place keeps every offset valid.
            Array.Resize(ref _pages[0], Math.Min(PageSize, _pages[0].Length * 2));
        }
        if (_position + needed > (_pageCount == 0 ? 0 : _pages[_pageCount - 1].Length))
        {
            // An id never straddles two pages, so Get can return one span; the tail of the page is wasted.
            if (_pageCount == MaxPages) throw new InvalidOperationException("The id arena is full (4 GiB of player ids).");
            if (_pageCount == _pages.Length) Array.Resize(ref _pages, _pages.Length * 2);
            int size = _pageCount == 0 ? FirstPageMinimum : PageSize;
            _pages[_pageCount++] = new byte[size];
            _position = 0;
        }
        byte[] page = _pages[_pageCount - 1];
        page[_position] = (byte)id.Length;
        id.CopyTo(page.AsSpan(_position + 1));
        uint offset = ((uint)(_pageCount - 1) << PageShift) | (uint)_position;
        _position += needed;
        return offset;
    }

    /// <summary>The UTF-8 bytes of the id stored at <paramref name="offset"/>.</summary>
    public ReadOnlySpan<byte> Get(uint offset)
    {
        byte[] page = _pages[offset >> PageShift];
        int position = (int)(offset & (PageSize - 1));
        return new ReadOnlySpan<byte>(page, position + 1, page[position]);
    }

    /// <summary>Hints the CPU to fetch the id at <paramref name="offset"/> (bulk paths).</summary>
    public void PrefetchId(uint offset) => Prefetch.Read(ref _pages[offset >> PageShift][offset & (PageSize - 1)]);

    /// <summary>
    /// A reader of every id appended so far that shares this arena's pages instead of copying them:
    /// bytes at an offset never change, and later appends here only write past what the reader knows.
    /// The reader must never <see cref="Append"/> (it would write into pages this arena still fills).
    /// </summary>
    public IdArena ShareForReading() => new()
    {
        _pages = (byte[][])_pages.Clone(),
        _pageCount = _pageCount,
        _position = _position,
    };

    /// <summary>Bytes held by the pages.</summary>
    public long AllocatedBytes => _pageCount == 0 ? 0 : (long)(_pageCount - 1) * PageSize + _pages[0].Length;
}
