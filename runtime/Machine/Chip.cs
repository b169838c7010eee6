using System.Buffers.Binary;
using Baker.Runtime.Isa;
using Baker.Runtime.Memory;
using Baker.Runtime.Microengine;
using Baker.Runtime.Ports;

namespace Baker.Runtime.Machine;

/// <summary>
/// The emulated network processor: microengines, scratch/SRAM/DRAM with their controllers, rings, hash
/// unit, receive/transmit ports and the control core, driven by one conservative discrete-event scheduler.
///
/// Scheduling: every agent (each ME, the port unit, the control core) has a next-action time. The agent
/// with the smallest (time, index) runs; the smallest time of the others is the horizon. An ME executes
/// local instructions freely and stops before a shared reference (memory, ring, NN) later than the
/// horizon; the port unit and control core handle events up to it. Shared state therefore sees every
/// reference in global time order whatever the host interleaving, which makes runs deterministic, and
/// memory completions are computed at issue so nothing is polled per cycle.
/// </summary>
public sealed class Chip
{
    /// <summary>Ring ids per memory space: 0..RingIds − 1.</summary>
    public const int RingIds = 64;

    private readonly HwRing?[] _scratchRings = new HwRing?[RingIds];
    private readonly HwRing?[] _sramRings = new HwRing?[RingIds];
    private readonly List<CounterDecl> _counters = [];

    public MachineDescription Machine { get; }
    public byte[] ScratchMemory { get; }
    public byte[] SramMemory { get; }
    public byte[] DramMemory { get; }
    public MemoryUnit ScratchUnit { get; }
    public MemoryUnit SramUnit { get; }
    public MemoryUnit DramUnit { get; }
    public MemoryUnit HashUnit { get; }
    public MicroEngine[] Microengines { get; }
    public PortUnit Ports { get; }
    public ControlCore.ControlCore ControlCore { get; }
    public IReadOnlyList<CounterDecl> Counters => _counters;

    /// <summary>
    /// How far (cycles) a microengine may run past the horizon before a shared reference makes it yield.
    /// 0 (the default) orders every shared reference exactly by time. A larger value trades that exactness
    /// (references of different MEs within the quantum may reach a controller out of time order) for speed;
    /// runs stay deterministic because the schedule depends only on emulated state.
    /// </summary>
    public int SyncQuantumCycles { get; set; }

    /// <summary>Global time: the time of the agent running now (cycles).</summary>
    public long Now { get; private set; }
    internal long HorizonTime;
    internal int HorizonIndex;

    public Chip(MachineDescription machine)
    {
        machine.Validate(machine.Name);
        Machine = machine;
        ScratchMemory = new byte[machine.Scratch.SizeBytes];
        SramMemory = new byte[machine.Sram.SizeBytes];
        DramMemory = new byte[machine.Dram.SizeBytes];
        ScratchUnit = new MemoryUnit("scratch", machine.Scratch);
        SramUnit = new MemoryUnit("sram", machine.Sram);
        DramUnit = new MemoryUnit("dram", machine.Dram);
        HashUnit = new MemoryUnit("hash", machine.Hash);
        Microengines = Enumerable.Range(0, machine.Microengines.Count).Select(i => new MicroEngine(this, i, machine.Microengines)).ToArray();
        foreach (var r in machine.Rings) AddRing(r.Name, r.Space, r.Id, r.Base, r.SizeWords);
        Ports = new PortUnit(this, machine.Microengines.Count);
        ControlCore = new ControlCore.ControlCore(this, machine.Microengines.Count + 1);
        FillFreeList();
    }

    private void FillFreeList()
    {
        var b = Machine.Buffers;
        if (b.Count == 0) return;
        var fl = Ring(b.FreeListSpace, b.FreeListRing)
            ?? throw new EmulatorException($"buffer free list: {MemorySpaceNames.Name(b.FreeListSpace)} ring {b.FreeListRing} is not configured");
        if (fl.SizeWords < b.Count) throw new EmulatorException($"buffer free list ring holds {fl.SizeWords} words, fewer than the {b.Count} buffers");
        Span<uint> one = stackalloc uint[1];
        for (var i = 0; i < b.Count; i++)
        {
            one[0] = (uint)(b.DramBase + (long)i * b.SizeBytes);
            fl.Put(one, 0);
        }
    }

    public HwRing AddRing(string name, MemorySpace space, int id, uint baseAddr, int sizeWords)
    {
        if (space == MemorySpace.Dram) throw new EmulatorException($"ring {name}: rings live in scratch or sram");
        var table = space == MemorySpace.Scratch ? _scratchRings : _sramRings;
        if (id < 0 || id >= table.Length) throw new EmulatorException($"ring {name}: id {id} is outside 0..{table.Length - 1}");
        if (table[id] is not null) throw new EmulatorException($"{MemorySpaceNames.Name(space)} ring {id} is declared twice");
        var r = new HwRing(name, space, id, baseAddr, sizeWords, Memory(space));
        // A parked context's signal arrives as the completion of its wait would: the ring's memory latency after the put.
        var latency = Unit(space).LatencyCycles;
        r.Wake = (me, ctx, sig, at) => Microengines[me].Wake(ctx, sig, at + latency);
        table[id] = r;
        return r;
    }

    public HwRing? Ring(MemorySpace space, int id)
    {
        var table = space == MemorySpace.Scratch ? _scratchRings : space == MemorySpace.Sram ? _sramRings : null;
        return table is not null && id >= 0 && id < table.Length ? table[id] : null;
    }

    public IEnumerable<HwRing> AllRings => _scratchRings.Concat(_sramRings).OfType<HwRing>();

    public byte[] Memory(MemorySpace s) => s switch
    {
        MemorySpace.Scratch => ScratchMemory,
        MemorySpace.Sram => SramMemory,
        _ => DramMemory,
    };

    public MemoryUnit Unit(MemorySpace s) => s switch
    {
        MemorySpace.Scratch => ScratchUnit,
        MemorySpace.Sram => SramUnit,
        _ => DramUnit,
    };

    internal byte[] MemoryFor(MemorySpace s, uint addr, int bytes, MicroEngine me)
    {
        var mem = Memory(s);
        if (addr + (long)bytes > mem.Length)
            throw me.Fault($"{MemorySpaceNames.Name(s)} address 0x{addr:x} (+{bytes} bytes) is outside the {mem.Length}-byte memory");
        return mem;
    }

    public uint ReadWord(MemorySpace s, uint addr) => BinaryPrimitives.ReadUInt32BigEndian(Memory(s).AsSpan((int)addr));

    public void WriteWord(MemorySpace s, uint addr, uint v) => BinaryPrimitives.WriteUInt32BigEndian(Memory(s).AsSpan((int)addr), v);

    /// <summary>Load an image: code into its MEs (checked against the control store), data, rings and counters.</summary>
    public void Load(MicrocodeImage image)
    {
        foreach (var me in image.Mes)
        {
            if (me.Me < 0 || me.Me >= Microengines.Length)
                throw new EmulatorException($"image has code for ME {me.Me}, the chip has MEs 0..{Microengines.Length - 1}");
            if (Microengines[me.Me].HasCode) throw new EmulatorException($"ME {me.Me} is loaded twice");
            Microengines[me.Me].Load(me);
        }
        foreach (var r in image.Rings) AddRing($"{MemorySpaceNames.Name(r.Space)}{r.Id}", r.Space, r.Id, r.Base, r.SizeWords);
        foreach (var d in image.Data)
        {
            var mem = Memory(d.Space);
            if (d.Address + (long)d.Words.Length * 4 > mem.Length)
                throw new EmulatorException($"image data at {MemorySpaceNames.Name(d.Space)} 0x{d.Address:x} ({d.Words.Length} words) does not fit");
            for (var i = 0; i < d.Words.Length; i++) WriteWord(d.Space, d.Address + (uint)(4 * i), d.Words[i]);
        }
        _counters.AddRange(image.Counters);
    }

    // ------------------------------------------------------------------ next neighbor

    private MicroEngine Next(int me) => Microengines[(me + 1) % Microengines.Length];
    internal void NextNeighborWrite(int me, int reg, uint v) => Next(me).NnWrite(reg, v);
    internal uint NextNeighborRead(int me, int reg) => Next(me).NnRead(reg);
    internal void NextNeighborPush(int me, uint v, long at) => Next(me).NnPush(v, at);
    internal bool NextNeighborFull(int me) => Next(me).NnFull;

    /// <summary>The hash unit's function: CRC-32 (0x04C11DB7, MSB first) of the word's 4 bytes, initial value all ones.</summary>
    public uint Hash(uint v) => MicroEngine.Crc32Word(0xffffffff, v);

    // ------------------------------------------------------------------ scheduler

    /// <summary>Stop once the traffic is done: all input offered and every buffer back on the free list (or quiet for this long).</summary>
    internal bool StopWhenDrained;
    internal long DrainIdleCycles = 2_000_000;

    /// <summary>Run until nothing can happen, the traffic has drained, or <paramref name="maxCycles"/>. Returns the final time.</summary>
    public long Run(long maxCycles)
    {
        var mes = Microengines;
        var n = mes.Length;
        var portsIndex = n;
        var coreIndex = n + 1;
        long end = 0;
        // Next-action time per agent (MEs, ports, control core), re-read every round: any agent can give
        // another work (a put wakes the contexts parked on a ring, a transmit ring wakes its port).
        var next = new long[n + 2];
        while (true)
        {
            for (var i = 0; i < n; i++) next[i] = mes[i].NextTime;
            next[portsIndex] = Ports.NextTime;
            next[coreIndex] = ControlCore.NextTime;
            // One pass: the earliest agent (ties: lowest index) runs; the second earliest is its horizon.
            long bt = long.MaxValue, ht = long.MaxValue;
            int best = -1, hi = int.MaxValue;
            for (var i = 0; i < next.Length; i++)
            {
                var t = next[i];
                if (t < bt) { ht = bt; hi = best < 0 ? int.MaxValue : best; bt = t; best = i; }
                else if (t < ht) { ht = t; hi = i; }
            }
            if (best < 0 || bt > maxCycles) break;
            if (ht > maxCycles) { ht = maxCycles; hi = int.MaxValue; }
            HorizonTime = ht;
            HorizonIndex = hi;
            Now = bt;
            AgentRuns++;
            RunningAgent = best;
            if (best < n) mes[best].Run();
            else if (best == portsIndex) Ports.Run();
            else ControlCore.Run();
            // Emptied: microcode that can sleep is left to finish what it does after its last packet (a trace, say)
            // and fall asleep, which ends the run by itself; microcode that polls would poll on, so it stops here.
            if (StopWhenDrained && (Ports.Quiet(bt, DrainIdleCycles) || (Ports.Emptied(bt) && !SleeperAwake()))) break;
        }
        foreach (var me in mes) end = Math.Max(end, Math.Min(me.Now, maxCycles));
        end = Math.Max(end, Ports.LastActivity);
        end = Math.Max(end, Math.Min(ControlCore.Now, maxCycles));
        foreach (var me in mes) me.SleepUntil(end);
        EndTime = end;
        return end;
    }

    public long EndTime { get; private set; }

    private bool SleeperAwake()
    {
        foreach (var me in Microengines)
            if (me.CanSleep && !me.Halted && !me.Asleep) return true;
        return false;
    }

    /// <summary>The agent the scheduler is running (an ME's index, then the ports, then the control core).</summary>
    internal int RunningAgent { get; private set; } = -1;

    /// <summary>How many times the scheduler handed control to an agent (a measure of synchronisation overhead).</summary>
    public long AgentRuns { get; private set; }

    /// <summary>Lower the horizon when an agent schedules work for another agent earlier than the current horizon.</summary>
    internal void LowerHorizon(long t, int index)
    {
        if (t < HorizonTime || (t == HorizonTime && index < HorizonIndex))
        {
            HorizonTime = t;
            HorizonIndex = index;
        }
    }

    public long CyclesToNs(long cycles) => (long)((Int128)cycles * 1_000_000_000 / Machine.ClockHz);
}
