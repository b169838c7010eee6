namespace Baker.Runtime.Machine;

/// <summary>
/// A binary min-heap of events keyed by (time, insertion order), so events at equal times come out in the
/// order they were scheduled and a run is deterministic. Smaller and faster than PriorityQueue with a
/// tuple priority: the ports push and pop a few events per packet, which shows in emulator throughput.
/// </summary>
internal sealed class EventHeap<T>
{
    private struct Node
    {
        public long Time;
        public long Seq;
        public T Item;
    }

    private Node[] _heap = new Node[64];
    private long _seq;

    public int Count { get; private set; }

    /// <summary>Time of the earliest event, or long.MaxValue when empty.</summary>
    public long PeekTime => Count == 0 ? long.MaxValue : _heap[0].Time;

    public void Push(long time, T item)
    {
        if (Count == _heap.Length) Array.Resize(ref _heap, Count * 2);
        var node = new Node { Time = time, Seq = _seq++, Item = item };
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Less(in node, in _heap[parent])) break;
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = node;
    }

    public T Pop()
    {
        var top = _heap[0].Item;
        var last = _heap[--Count];
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= Count) break;
            if (child + 1 < Count && Less(in _heap[child + 1], in _heap[child])) child++;
            if (!Less(in _heap[child], in last)) break;
            _heap[i] = _heap[child];
            i = child;
        }
        _heap[i] = last;
        _heap[Count] = default;
        return top;
    }

    private static bool Less(in Node a, in Node b) => a.Time < b.Time || (a.Time == b.Time && a.Seq < b.Seq);
}
