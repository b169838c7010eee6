using System.Buffers.Binary;

namespace Baker.Runtime.Memory;

/// <summary>
/// A hardware ring of 32-bit words kept in scratch or SRAM (its words are visible in that memory).
/// put/get move whole entries of one or more words atomically; a put that does not fit is refused
/// and a get from a ring with fewer words than asked returns nothing (the microcode sees zeros).
/// </summary>
public sealed class HwRing
{
    private readonly byte[] _mem;
    private int _head;
    private long _lastChange;
    private double _area;

    public string Name { get; }
    public MemorySpace Space { get; }
    public int Id { get; }
    public uint Base { get; }
    public int SizeWords { get; }
    public int Count { get; private set; }
    public long Puts { get; private set; }
    public long Gets { get; private set; }
    public long EmptyGets { get; private set; }
    public long RefusedPuts { get; private set; }
    public int MaxOccupancy { get; private set; }

    /// <summary>Called after every accepted put with the cycle of the put (Tx uses it to wake a port).</summary>
    internal Action<long>? OnPut { get; set; }

    /// <summary>Called after every successful get with its cycle (saturating receive waits for ring room).</summary>
    internal Action<long>? OnGet { get; set; }

    /// <summary>Delivers a waiter's signal (ME, context, signal, cycle): set by the chip.</summary>
    internal Action<int, int, int, long>? Wake { get; set; }

    /// <summary>Contexts parked by a <c>wait</c> on this ring while it was empty, each once; the next put signals them all.</summary>
    private readonly List<(int Me, int Ctx, int Signal)> _waiters = [];

    /// <summary>How many waits found the ring empty and parked their context.</summary>
    public long Parks { get; private set; }

    /// <summary>
    /// A context's <c>wait</c>: true when the ring holds an entry now (the reference's own completion signals it);
    /// otherwise the context is parked and the next put signals it.
    /// </summary>
    internal bool Wait(int me, int ctx, int signal)
    {
        if (Count > 0) return true;
        Parks++;
        if (!_waiters.Contains((me, ctx, signal))) _waiters.Add((me, ctx, signal));
        return false;
    }

    public HwRing(string name, MemorySpace space, int id, uint baseAddr, int sizeWords, byte[] mem)
    {
        if (baseAddr + (long)sizeWords * 4 > mem.Length)
            throw new EmulatorException($"ring {name} ({MemorySpaceNames.Name(space)} {id}) at 0x{baseAddr:x} with {sizeWords} words does not fit in {mem.Length} bytes");
        Name = name;
        Space = space;
        Id = id;
        Base = baseAddr;
        SizeWords = sizeWords;
        _mem = mem;
    }

    public int Free => SizeWords - Count;

    public bool Put(ReadOnlySpan<uint> words, long now)
    {
        if (words.Length > Free)
        {
            RefusedPuts++;
            return false;
        }
        Account(now);
        var tail = (_head + Count) % SizeWords;
        foreach (var w in words)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_mem.AsSpan((int)(Base + tail * 4)), w);
            tail = tail + 1 == SizeWords ? 0 : tail + 1;
        }
        Count += words.Length;
        if (Count > MaxOccupancy) MaxOccupancy = Count;
        Puts++;
        OnPut?.Invoke(now);
        if (_waiters.Count > 0)
        {
            // Every parked context wakes: each polls all its inputs, so one that finds this entry taken
            // by another simply parks again, and none can miss an entry.
            var woken = _waiters.ToArray();
            _waiters.Clear();
            foreach (var (me, ctx, sig) in woken) Wake!(me, ctx, sig, now);
        }
        return true;
    }

    public bool Get(Span<uint> into, long now)
    {
        if (into.Length > Count)
        {
            into.Clear();
            EmptyGets++;
            return false;
        }
        Account(now);
        for (var i = 0; i < into.Length; i++)
        {
            into[i] = BinaryPrimitives.ReadUInt32BigEndian(_mem.AsSpan((int)(Base + _head * 4)));
            _head = _head + 1 == SizeWords ? 0 : _head + 1;
        }
        Count -= into.Length;
        Gets++;
        OnGet?.Invoke(now);
        return true;
    }

    private void Account(long now)
    {
        if (now > _lastChange)
        {
            _area += (double)Count * (now - _lastChange);
            _lastChange = now;
        }
    }

    /// <summary>Time-averaged occupancy in words from cycle 0 to <paramref name="end"/>.</summary>
    public double MeanOccupancy(long end)
    {
        Account(end);
        return end > 0 ? _area / end : 0;
    }
}

/// <summary>An error of the emulated program or configuration (bad address, missing ring, ...), with its location.</summary>
public sealed class EmulatorException(string message) : Exception(message);
