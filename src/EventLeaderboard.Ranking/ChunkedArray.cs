namespace EventLeaderboard.Ranking;

/// <summary>
/// A growable array of structs stored in fixed-size pages. Growth adds a page instead of copying every
/// element (a 10M-element array would otherwise be copied whole, and leave LOH holes behind), and a
/// <c>ref</c> to an element stays valid while the array grows.
/// </summary>
internal sealed class ChunkedArray<T> where T : struct
{
    private readonly int _pageShift;
    private readonly int _pageMask;
    private T[][] _pages = [];
    private int _pageCount;

    /// <param name="pageShift">log2 of the number of elements per page.</param>
    public ChunkedArray(int pageShift)
    {
        _pageShift = pageShift;
        _pageMask = (1 << pageShift) - 1;
    }

    /// <summary>Number of addressable elements (whole pages).</summary>
    public int Capacity => _pageCount << _pageShift;

    public ref T this[int index] => ref _pages[index >> _pageShift][index & _pageMask];

    /// <summary>Adds pages until <paramref name="capacity"/> elements are addressable.</summary>
    public void EnsureCapacity(int capacity)
    {
        while (Capacity < capacity)
        {
            if (_pageCount == _pages.Length) Array.Resize(ref _pages, Math.Max(4, _pages.Length * 2));
            _pages[_pageCount++] = new T[1 << _pageShift];
        }
    }

    /// <summary>Bytes held by the pages (element storage only).</summary>
    public long AllocatedBytes => (long)Capacity * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
}
