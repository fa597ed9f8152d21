namespace EventLeaderboard.Ranking;

/// <summary>
/// A growable array of structs stored in fixed-size pages. Growth adds a page instead of copying every
/// element (a 10M-element array would otherwise be copied whole, and leave LOH holes behind). Only the
/// first page starts small and doubles up to the page size, so a board with ten players does not hold
/// megabytes. Because that first page can move, callers must re-take a <c>ref</c> to an element after
/// anything that may grow the array.
/// </summary>
internal sealed class ChunkedArray<T> where T : struct
{
    private const int FirstPageMinimum = 4;
    private readonly int _pageShift;
    private readonly int _pageMask;
    private T[][] _pages = [];
    private int _pageCount;
    private int _capacity;

    /// <param name="pageShift">log2 of the number of elements per page.</param>
    public ChunkedArray(int pageShift)
    {
        _pageShift = pageShift;
        _pageMask = (1 << pageShift) - 1;
    }

    /// <summary>Number of addressable elements.</summary>
    public int Capacity => _capacity;

    public ref T this[int index] => ref _pages[index >> _pageShift][index & _pageMask];

    /// <summary>Grows until <paramref name="capacity"/> elements are addressable.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity <= _capacity) return;
        int pageSize = 1 << _pageShift;
        if (_pageCount <= 1 && _capacity < pageSize)
        {
            int size = (int)Math.Min(pageSize, Math.Max(FirstPageMinimum, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity)));
            if (_pageCount == 0)
            {
                _pages = new T[4][];
                _pages[0] = new T[size];
                _pageCount = 1;
            }
            else
            {
                Array.Resize(ref _pages[0], size);
            }
            _capacity = size;
        }
        while (_capacity < capacity)
        {
            if (_pageCount == _pages.Length) Array.Resize(ref _pages, _pages.Length * 2);
            _pages[_pageCount++] = new T[pageSize];
            _capacity += pageSize;
        }
    }

    /// <summary>
    /// A copy of elements [0, <paramref name="count"/>): the pages that hold them copied whole (a
    /// memory copy, no per-element work), so later writes to this array do not reach the copy.
    /// </summary>
    public ChunkedArray<T> CopyPrefix(int count)
    {
        var copy = new ChunkedArray<T>(_pageShift);
        int pages = count == 0 ? 0 : ((count - 1) >> _pageShift) + 1;
        copy._pages = new T[Math.Max(pages, 1)][];
        for (int i = 0; i < pages; i++) copy._pages[i] = (T[])_pages[i].Clone();
        copy._pageCount = pages;
        copy._capacity = pages == 0 ? 0 : pages == 1 ? copy._pages[0].Length : pages << _pageShift;
        return copy;
    }

    /// <summary>Bytes held by the pages (element storage only).</summary>
    public long AllocatedBytes => (long)_capacity * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
}
