using System.Buffers.Binary;
using Baker.Runtime.Machine;
using Baker.Runtime.Memory;

namespace Baker.Runtime.ControlCore;

/// <summary>A read of the control core that returned data older than memory: the cache was not invalidated after an ME or DMA write.</summary>
public sealed record StaleRead(long Cycle, MemorySpace Space, uint Address, uint CachedValue, uint MemoryValue)
{
    public override string ToString() =>
        $"cycle {Cycle}: control core read stale data at {MemorySpaceNames.Name(Space)} 0x{Address:x}: cache has 0x{CachedValue:x8}, memory has 0x{MemoryValue:x8} (invalidate the line after the ME/DMA write)";
}

/// <summary>
/// The XScale-class control core. Host code runs as C# delegates (tasks) scheduled at emulated times; each
/// access it makes through this object costs cycles, which delay its next task. Its data cache
/// (<see cref="DataCache"/>) is write-back and not coherent with ME or DMA writes: host code must
/// <see cref="Clean"/> lines before MEs read data it wrote and <see cref="Invalidate"/> lines before reading
/// data MEs wrote. The coherence checker compares every cache hit with memory and records each stale read.
/// Scratch is accessed uncached (device memory); SRAM and DRAM go through the cache.
/// A task runs atomically at its start time: its references enter the global order at that time.
/// </summary>
public sealed class ControlCore
{
    private readonly Chip _chip;
    private readonly int _index;
    private readonly PriorityQueue<Action<ControlCore>, (long, long)> _tasks = new();
    private long _seq;
    private readonly double _meCyclesPerCoreCycle;

    public DataCache Cache { get; }
    public List<StaleRead> StaleReads { get; } = [];
    /// <summary>Emulated time of the core in ME cycles (the chip's time base).</summary>
    public long Now { get; private set; }
    /// <summary>Cycles the core spent, in its own clock.</summary>
    public long CoreCycles { get; private set; }
    public long TasksRun { get; private set; }

    internal ControlCore(Chip chip, int agentIndex)
    {
        _chip = chip;
        _index = agentIndex;
        var p = chip.Machine.ControlCore;
        _meCyclesPerCoreCycle = (double)chip.Machine.ClockHz / p.ClockHz;
        Cache = new DataCache(p.Cache, this);
    }

    public Chip Chip => _chip;

    internal long NextTime => _tasks.TryPeek(out _, out var p) ? Math.Max(p.Item1, Now) : long.MaxValue;

    /// <summary>Run <paramref name="task"/> on the core at ME cycle <paramref name="atCycle"/> (or when the core is next free).</summary>
    public void Schedule(long atCycle, Action<ControlCore> task)
    {
        _tasks.Enqueue(task, (atCycle, _seq++));
        _chip.LowerHorizon(Math.Max(atCycle, Now), _index);
    }

    internal void Run()
    {
        while (_tasks.TryPeek(out var task, out var pri))
        {
            var t = Math.Max(pri.Item1, Now);
            if (t > _chip.HorizonTime || (t == _chip.HorizonTime && _index > _chip.HorizonIndex)) return;
            _tasks.Dequeue();
            Now = t;
            TasksRun++;
            task(this);
        }
    }

    /// <summary>
    /// Runs the tasks still queued once the chip has stopped (its traffic drained), in order, each at its time or
    /// when the core is next free; with <paramref name="until"/>, only those due at or before that cycle (a loader
    /// that resumes the chip after one of them stops there). The MEs are not run through that time: with no traffic
    /// left they only poll.
    /// </summary>
    public void RunRemaining(long until = long.MaxValue)
    {
        while (_tasks.TryPeek(out _, out var pri) && pri.Item1 <= until)
        {
            var task = _tasks.Dequeue();
            Now = Math.Max(pri.Item1, Now);
            TasksRun++;
            task(this);
        }
    }

    /// <summary>Account <paramref name="cycles"/> of core time (computation of host code).</summary>
    public void Compute(long cycles) => Spend(cycles);

    internal void Spend(long coreCycles)
    {
        CoreCycles += coreCycles;
        Now += (long)Math.Ceiling(coreCycles * _meCyclesPerCoreCycle);
    }

    internal int AccessCycles(MemorySpace s)
    {
        var p = _chip.Machine.ControlCore;
        return s switch
        {
            MemorySpace.Scratch => p.ScratchAccessCycles,
            MemorySpace.Sram => p.SramAccessCycles,
            _ => p.DramAccessCycles,
        };
    }

    internal byte[] Memory(MemorySpace s, uint addr, int bytes)
    {
        var mem = _chip.Memory(s);
        if (addr + (long)bytes > mem.Length)
            throw new EmulatorException($"control core: {MemorySpaceNames.Name(s)} address 0x{addr:x} (+{bytes}) is outside the memory");
        return mem;
    }

    internal void ReportStale(MemorySpace s, uint addr, uint cached, uint memory) => StaleReads.Add(new StaleRead(Now, s, addr, cached, memory));

    /// <summary>Read a big-endian word (through the cache for SRAM and DRAM).</summary>
    public uint Read32(MemorySpace s, uint addr)
    {
        if (s == MemorySpace.Scratch)
        {
            Spend(AccessCycles(s));
            return BinaryPrimitives.ReadUInt32BigEndian(Memory(s, addr, 4).AsSpan((int)addr));
        }
        return Cache.Read32(s, addr);
    }

    public void Write32(MemorySpace s, uint addr, uint value)
    {
        if (s == MemorySpace.Scratch)
        {
            Spend(AccessCycles(s));
            BinaryPrimitives.WriteUInt32BigEndian(Memory(s, addr, 4).AsSpan((int)addr), value);
            return;
        }
        Cache.Write32(s, addr, value);
    }

    /// <summary>Clean to the point of coherence: write dirty lines of the range back to memory.</summary>
    public void Clean(MemorySpace s, uint addr, int length) => Cache.Clean(s, addr, length);

    /// <summary>Invalidate to the point of coherence: drop the range's lines (dirty data in them is lost).</summary>
    public void Invalidate(MemorySpace s, uint addr, int length) => Cache.Invalidate(s, addr, length);

    public void CleanInvalidate(MemorySpace s, uint addr, int length)
    {
        Cache.Clean(s, addr, length);
        Cache.Invalidate(s, addr, length);
    }

    /// <summary>
    /// Atomically add <paramref name="value"/> to the big-endian word at <paramref name="addr"/> of scratch or SRAM and
    /// return the old value: the memory unit's <c>add</c>, as the MEs use it, issued uncached (a cached copy of the
    /// line is not updated, so a later cached read of it is stale). For counters the MEs update too.
    /// </summary>
    public uint AtomicAdd(MemorySpace s, uint addr, uint value)
    {
        if (s == MemorySpace.Dram) throw new EmulatorException("control core: DRAM has no atomic operations");
        if ((addr & 3) != 0) throw new EmulatorException($"control core: unaligned atomic add at 0x{addr:x}");
        Spend(AccessCycles(s));
        var span = Memory(s, addr, 4).AsSpan((int)addr, 4);
        var old = BinaryPrimitives.ReadUInt32BigEndian(span);
        BinaryPrimitives.WriteUInt32BigEndian(span, old + value);
        return old;
    }

    /// <summary>Put words on a hardware ring (uncached, like any ring access from the core).</summary>
    public bool RingPut(MemorySpace s, int ring, params uint[] words)
    {
        Spend(AccessCycles(s));
        var r = _chip.Ring(s, ring) ?? throw new EmulatorException($"control core: {MemorySpaceNames.Name(s)} ring {ring} is not configured");
        return r.Put(words, Now);
    }

    public bool RingGet(MemorySpace s, int ring, Span<uint> into)
    {
        Spend(AccessCycles(s));
        var r = _chip.Ring(s, ring) ?? throw new EmulatorException($"control core: {MemorySpaceNames.Name(s)} ring {ring} is not configured");
        return r.Get(into, Now);
    }
}

/// <summary>
/// Set-associative, write-back, write-allocate data cache with LRU replacement, per-byte dirty bits and a
/// copy of each line's data, so a read can return stale data exactly as hardware would. On every hit the
/// coherence checker compares the clean bytes read with memory and reports a difference.
/// </summary>
public sealed class DataCache
{
    private readonly ControlCore _core;
    private readonly CacheParams _p;
    private readonly int _sets;
    private readonly long[] _tag;      // space << 32 | line address; -1 = invalid
    private readonly ulong[] _dirty;   // per-byte dirty mask (lines up to 64 bytes)
    private readonly byte[] _data;
    private readonly long[] _use;
    private long _clock;

    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long Writebacks { get; private set; }
    public long LinesCleaned { get; private set; }
    public long LinesInvalidated { get; private set; }

    internal DataCache(CacheParams p, ControlCore core)
    {
        if (p.LineBytes > 64) throw new EmulatorException("controlCore.cache.lineBytes must be at most 64");
        _p = p;
        _core = core;
        _sets = p.SizeBytes / (p.LineBytes * p.Ways);
        var lines = _sets * p.Ways;
        _tag = new long[lines];
        Array.Fill(_tag, -1L);
        _dirty = new ulong[lines];
        _data = new byte[lines * p.LineBytes];
        _use = new long[lines];
    }

    private long Key(MemorySpace s, uint lineAddr) => (long)s << 32 | lineAddr;

    private int Find(MemorySpace s, uint lineAddr)
    {
        var set = (int)(lineAddr / (uint)_p.LineBytes % (uint)_sets);
        var key = Key(s, lineAddr);
        for (var w = 0; w < _p.Ways; w++)
        {
            var i = set * _p.Ways + w;
            if (_tag[i] == key) return i;
        }
        return -1;
    }

    private int Fill(MemorySpace s, uint lineAddr)
    {
        var set = (int)(lineAddr / (uint)_p.LineBytes % (uint)_sets);
        var victim = set * _p.Ways;
        for (var w = 0; w < _p.Ways; w++)
        {
            var i = set * _p.Ways + w;
            if (_tag[i] == -1) { victim = i; break; }
            if (_use[i] < _use[victim]) victim = i;
        }
        if (_tag[victim] != -1) WriteBack(victim);
        var mem = _core.Memory(s, lineAddr, _p.LineBytes);
        mem.AsSpan((int)lineAddr, _p.LineBytes).CopyTo(_data.AsSpan(victim * _p.LineBytes, _p.LineBytes));
        _tag[victim] = Key(s, lineAddr);
        _dirty[victim] = 0;
        Misses++;
        _core.Spend(_core.AccessCycles(s));
        return victim;
    }

    private void WriteBack(int i)
    {
        var d = _dirty[i];
        if (d == 0) return;
        var s = (MemorySpace)(_tag[i] >> 32);
        var lineAddr = (uint)_tag[i];
        var mem = _core.Memory(s, lineAddr, _p.LineBytes);
        for (var b = 0; b < _p.LineBytes; b++)
            if ((d >> b & 1) != 0) mem[lineAddr + b] = _data[i * _p.LineBytes + b];
        _dirty[i] = 0;
        Writebacks++;
        _core.Spend(_core.AccessCycles(s));
    }

    private (int line, int off) Locate(MemorySpace s, uint addr, bool forRead)
    {
        if ((addr & 3) != 0) throw new EmulatorException($"control core: unaligned word access at 0x{addr:x}");
        var lineAddr = addr & ~(uint)(_p.LineBytes - 1);
        var i = Find(s, lineAddr);
        if (i >= 0)
        {
            Hits++;
            _core.Spend(_p.HitCycles);
            if (forRead) Check(i, s, addr);
        }
        else i = Fill(s, lineAddr);
        _use[i] = ++_clock;
        return (i, (int)(addr - lineAddr));
    }

    /// <summary>The coherence checker: clean bytes of a hit must equal memory, or the read is stale.</summary>
    private void Check(int i, MemorySpace s, uint addr)
    {
        var lineAddr = (uint)_tag[i];
        var off = (int)(addr - lineAddr);
        var mem = _core.Memory(s, addr, 4);
        var d = _dirty[i];
        for (var b = 0; b < 4; b++)
        {
            if ((d >> (off + b) & 1) != 0) continue;
            if (_data[i * _p.LineBytes + off + b] != mem[addr + b])
            {
                _core.ReportStale(s, addr, BinaryPrimitives.ReadUInt32BigEndian(_data.AsSpan(i * _p.LineBytes + off)),
                    BinaryPrimitives.ReadUInt32BigEndian(mem.AsSpan((int)addr)));
                return;
            }
        }
    }

    internal uint Read32(MemorySpace s, uint addr)
    {
        var (i, off) = Locate(s, addr, forRead: true);
        return BinaryPrimitives.ReadUInt32BigEndian(_data.AsSpan(i * _p.LineBytes + off));
    }

    internal void Write32(MemorySpace s, uint addr, uint v)
    {
        var (i, off) = Locate(s, addr, forRead: false);
        BinaryPrimitives.WriteUInt32BigEndian(_data.AsSpan(i * _p.LineBytes + off), v);
        _dirty[i] |= 0xfUL << off;
    }

    private IEnumerable<uint> Lines(uint addr, int length)
    {
        if (length <= 0) yield break;
        var first = addr & ~(uint)(_p.LineBytes - 1);
        var last = (uint)(addr + length - 1) & ~(uint)(_p.LineBytes - 1);
        for (var l = first; l <= last; l += (uint)_p.LineBytes) yield return l;
    }

    internal void Clean(MemorySpace s, uint addr, int length)
    {
        foreach (var l in Lines(addr, length))
        {
            _core.Spend(_p.CleanCyclesPerLine);
            LinesCleaned++;
            var i = Find(s, l);
            if (i >= 0) WriteBack(i);
        }
    }

    internal void Invalidate(MemorySpace s, uint addr, int length)
    {
        foreach (var l in Lines(addr, length))
        {
            _core.Spend(_p.InvalidateCyclesPerLine);
            LinesInvalidated++;
            var i = Find(s, l);
            if (i >= 0)
            {
                _tag[i] = -1;
                _dirty[i] = 0;
            }
        }
    }
}
