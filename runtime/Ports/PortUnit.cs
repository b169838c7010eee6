using Baker.Runtime.Machine;
using Baker.Runtime.Memory;
using Baker.Runtime.Pcap;

namespace Baker.Runtime.Ports;

/// <summary>When input frames arrive at the receive ports.</summary>
public enum InputTiming
{
    /// <summary>Back to back at <see cref="TrafficOptions.Load"/> × line rate, ignoring the trace's timestamps.</summary>
    Paced,
    /// <summary>As fast as the chip takes them (one cycle apart, no line pacing, no drops): for capacity measurements.</summary>
    Saturate,
    /// <summary>At the trace's own timestamps, relative to the earliest one over all ports, but never faster than the line.</summary>
    Trace,
}

/// <summary>How input frames are offered to the receive ports.</summary>
public sealed class TrafficOptions
{
    public InputTiming Timing { get; set; } = InputTiming.Paced;
    /// <summary>Fraction of line rate (0 &lt; load ≤ 1) at which paced frames arrive.</summary>
    public double Load { get; set; } = 1.0;
    /// <summary>Play each port's trace this many times (with trace timing, repetition r is shifted by r × the time all traces span).</summary>
    public int Repeat { get; set; } = 1;
}

/// <summary>Counters of one Ethernet port.</summary>
public sealed class PortStats
{
    public long RxPackets, RxBytes, TxPackets, TxBytes, Offered;
    public SortedDictionary<string, long> Drops { get; } = new(StringComparer.Ordinal);
}

/// <summary>A transmitted frame: the cycle its transmission started, and that instant as time of day (ns: the trace epoch + the emulated time).</summary>
public sealed record TxFrame(long Cycle, long TimestampNs, byte[] Data);

/// <summary>
/// Receive and transmit for all ports, as one agent of the chip's scheduler with its own event queue.
/// Receive: each frame arrives when its last bit has arrived (see <see cref="InputTiming"/>; the wire time of
/// a frame is (max(captured+FCS, 64) + 20 preamble/gap bytes) × 8 / bit rate); it takes a buffer from the
/// free list, is written into DRAM headroomBytes after the buffer's start through the DRAM controller, and its
/// descriptor [frame address, port &lt;&lt; 16 | length] is put on the receive ring when that write completes.
/// No free buffer or no room on the ring drops the frame and counts it ("no_buffer", "rx_ring_full").
/// Transmit: each port takes descriptors from its ring, reads the frame from DRAM (the read of the next frame
/// overlaps the transmission of the current one), sends it at line rate, records it with its timestamp and
/// returns the buffer to the free list when the last bit has left.
/// </summary>
public sealed class PortUnit
{
    private enum Kind : byte { RxArrival, RxDeliver, TxFetch, TxDone }

    private readonly record struct Ev(Kind Kind, int Port, uint Addr, int Len);

    private sealed class Port
    {
        public List<PcapFrame> Input = [];
        public int Next;
        public int RepeatLeft;
        /// <summary>Trace timing: added to the timestamps of the current repetition.</summary>
        public long RepeatShiftNs;
        public double ArrivalCycle;
        /// <summary>Saturating input: the next frame waits for a free buffer or receive-ring room.</summary>
        public bool Blocked;
        public HwRing? TxRing;
        public bool TxActive;
        public double LineFreeAt;
        public double CyclesPerBit;
        public readonly List<TxFrame> Output = [];
        public readonly PortStats Stats = new();
    }

    private readonly Chip _chip;
    private readonly int _index;
    private readonly Port[] _ports;
    private readonly EventHeap<Ev> _events = new();
    // Receive DMA completions come from the one FIFO DRAM controller, so their times never decrease: a plain
    // queue keeps them in order without the heap (hundreds are in flight when the input saturates).
    private readonly Queue<(long Time, Ev Ev)> _deliveries = new();
    private HwRing? _rxRing;
    private HwRing? _freeList;
    private int _rxReserved;
    private TrafficOptions _opt = new();

    public long LastActivity { get; private set; }

    /// <summary>
    /// The earliest timestamp (ns) over all input traces, 0 without input. With trace timing cycle 0 is this
    /// instant, so a loader can store it for programs that read the time of day.
    /// </summary>
    public long TraceEpochNs { get; private set; }

    /// <summary>The latest minus the earliest timestamp over all input traces: the shift of each trace-timed repetition.</summary>
    private long _traceSpanNs;

    /// <summary>With trace timing, the cycles from the epoch to the last timestamp of the last repetition; otherwise 0.</summary>
    public long InputSpanCycles => _opt.Timing == InputTiming.Trace
        ? (long)Int128.Min((Int128)_traceSpanNs * Math.Max(1, _opt.Repeat) * _chip.Machine.ClockHz / 1_000_000_000, long.MaxValue)
        : 0;

    /// <summary>The options given to <see cref="Attach"/> (the defaults without input).</summary>
    public TrafficOptions Traffic => _opt;
    public int Count => _ports.Length;

    internal PortUnit(Chip chip, int agentIndex)
    {
        _chip = chip;
        _index = agentIndex;
        var m = chip.Machine;
        _ports = m.Ports.Select(p => new Port { CyclesPerBit = (double)m.ClockHz / p.BitsPerSecond }).ToArray();
    }

    public PortStats Stats(int port) => _ports[port].Stats;
    public IReadOnlyList<TxFrame> Output(int port) => _ports[port].Output;

    /// <summary>The next event's time, or the cycle at which the ports will have been quiet long enough for a drained run to stop (<see cref="QuietAt"/>).</summary>
    internal long NextTime => Math.Min(NextEventTime, QuietAt);

    private long NextEventTime => _deliveries.Count > 0 ? Math.Min(_deliveries.Peek().Time, _events.PeekTime) : _events.PeekTime;

    /// <summary>
    /// When a run that stops once drained has had no port activity for the chip's DrainIdleCycles after the input ended
    /// (else never). The scheduler looks for the drain only between agent runs, and an ME with work runs on up to the
    /// horizon: the next time another agent has work. Packets that circulate among the MEs (a channel cycle, threads
    /// spinning on each other) give the port unit no event, so without this time as one of its own the horizon would
    /// be the run's cycle limit (60e9 cycles past the trace by default) and the ME would run to it.
    /// </summary>
    private long QuietAt => _chip.StopWhenDrained && InputStopped && _freeList is not null ? LastActivity + _chip.DrainIdleCycles + 1 : long.MaxValue;

    /// <summary>
    /// No more input will come by itself: all of it was offered, or (saturating input) every port with frames left
    /// waits for a buffer or receive-ring room, which only the microcode can give back.
    /// </summary>
    private bool InputStopped => InputDone || (_anyBlocked && _ports.All(p => p.Blocked || p.Next >= p.Input.Count));

    /// <summary>Attach input traces (port → frames) and start receive and transmit.</summary>
    public void Attach(IReadOnlyDictionary<int, IReadOnlyList<PcapFrame>> traces, TrafficOptions options)
    {
        _opt = options;
        if (options.Load <= 0 || options.Load > 1) throw new EmulatorException($"load {options.Load} must be in (0, 1]");
        var m = _chip.Machine;
        _rxRing = _chip.Ring(m.Receive.RingSpace, m.Receive.Ring)
            ?? throw new EmulatorException($"receive ring {MemorySpaceNames.Name(m.Receive.RingSpace)} {m.Receive.Ring} is not configured");
        _freeList = _chip.Ring(m.Buffers.FreeListSpace, m.Buffers.FreeListRing)
            ?? throw new EmulatorException("the buffer free list ring is not configured");
        // The last buffer to come back may end the traffic: hand control back to the scheduler, which checks for
        // the drain after each agent run (an ME that freed it would otherwise poll its empty rings up to MaxCycles).
        _freeList.OnPut += t =>
        {
            if (InputDone && _freeList.Count == m.Buffers.Count) _chip.LowerHorizon(t, _index);
        };
        if (options.Timing == InputTiming.Saturate)
        {
            // A blocked port is offered again when a buffer comes back or the receive ring drains (no polling).
            _freeList.OnPut += Unblock;
            _rxRing.OnGet += Unblock;
        }
        for (var p = 0; p < _ports.Length; p++)
        {
            var port = _ports[p];
            var pp = m.Ports[p];
            port.TxRing = _chip.Ring(pp.TxRingSpace, pp.TxRing)
                ?? throw new EmulatorException($"port {p}: transmit ring {MemorySpaceNames.Name(pp.TxRingSpace)} {pp.TxRing} is not configured");
            var pi = p;
            port.TxRing.OnPut = t => TxWake(pi, t);
        }
        var stamps = traces.Values.SelectMany(f => f.Select(x => x.TimestampNs)).DefaultIfEmpty().ToList();
        TraceEpochNs = stamps.Min();
        _traceSpanNs = stamps.Max() - TraceEpochNs;
        foreach (var (p, frames) in traces)
        {
            if (p < 0 || p >= _ports.Length) throw new EmulatorException($"trace for port {p}: the machine has ports 0..{_ports.Length - 1}");
            var port = _ports[p];
            port.Input = frames.ToList();
            port.RepeatLeft = Math.Max(1, options.Repeat) - 1;
            port.Next = 0;
            if (port.Input.Count == 0) continue;
            _inputPending++;
            ScheduleArrival(p, 0);
        }
    }

    /// <summary>Wire time of a frame in (fractional) cycles; kept exact so pacing does not drift by rounding.</summary>
    private double WireCycles(Port port, int length)
    {
        var r = _chip.Machine.Receive;
        var bytes = Math.Max(length + r.FcsBytes, r.MinFrameBytes) + r.OverheadBytes;
        return bytes * 8 * port.CyclesPerBit;
    }

    private void ScheduleArrival(int p, long now)
    {
        var port = _ports[p];
        var f = port.Input[port.Next];
        switch (_opt.Timing)
        {
            case InputTiming.Saturate:
                Push(now + 1, new Ev(Kind.RxArrival, p, 0, 0));
                return;
            case InputTiming.Trace:
                // The first bit is on the wire at the frame's timestamp (rounded to a cycle in integers: Int128, as
                // ns × Hz overflows a long after 15 s at 600 MHz), or when the previous frame has fully arrived.
                var ns = f.TimestampNs + port.RepeatShiftNs - TraceEpochNs;
                var start = (long)(((Int128)ns * _chip.Machine.ClockHz + 500_000_000) / 1_000_000_000);
                port.ArrivalCycle = Math.Max(start, port.ArrivalCycle) + WireCycles(port, f.OriginalLength);
                break;
            default:
                port.ArrivalCycle += WireCycles(port, f.OriginalLength) / _opt.Load;
                break;
        }
        Push((long)Math.Ceiling(port.ArrivalCycle), new Ev(Kind.RxArrival, p, 0, 0));
    }

    private void Push(long t, Ev e)
    {
        _events.Push(t, e);
        _chip.LowerHorizon(t, _index);
    }

    /// <summary>Some port is blocked (saves looking at every port on each free-list put and ring get).</summary>
    private bool _anyBlocked;

    private void Unblock(long t)
    {
        if (!_anyBlocked) return;
        _anyBlocked = false;
        for (var p = 0; p < _ports.Length; p++)
        {
            if (!_ports[p].Blocked) continue;
            _ports[p].Blocked = false;
            Push(t + 1, new Ev(Kind.RxArrival, p, 0, 0));
        }
    }

    private void TxWake(int p, long t)
    {
        var port = _ports[p];
        if (port.TxActive) return;
        port.TxActive = true;
        Push(t, new Ev(Kind.TxFetch, p, 0, 0));
    }

    internal void Run()
    {
        while (true)
        {
            // At equal times a delivery goes first.
            // Nothing to do at QuietAt itself: the scheduler finds the run drained once this returns.
            var t = NextEventTime;
            if (t == long.MaxValue || t > _chip.HorizonTime || (t == _chip.HorizonTime && _index > _chip.HorizonIndex)) return;
            var e = _deliveries.Count > 0 && _deliveries.Peek().Time == t ? _deliveries.Dequeue().Ev : _events.Pop();
            switch (e.Kind)
            {
                case Kind.RxArrival: RxArrival(e.Port, t); break;
                case Kind.RxDeliver: RxDeliver(e, t); break;
                case Kind.TxFetch: TxFetch(e.Port, t); break;
                case Kind.TxDone: TxDone(e, t); break;
            }
        }
    }

    private void RxArrival(int p, long t)
    {
        var port = _ports[p];
        var f = port.Input[port.Next];
        var b = _chip.Machine.Buffers;
        Span<uint> one = stackalloc uint[1];
        port.Stats.Offered++;
        // An arrival is activity even before its frame is delivered: a gap in the trace longer than the drain
        // time before the last frame must not end the run before that frame is in.
        LastActivity = t;
        string? drop = null;
        var len = f.Data.Length;
        if (len > b.SizeBytes - b.HeadroomBytes) drop = "too_long";
        else if (_rxRing!.Free - _rxReserved < 2) drop = "rx_ring_full";
        else if (!_freeList!.Get(one, t)) drop = "no_buffer";
        if (drop is not null)
        {
            if (_opt.Timing == InputTiming.Saturate && drop != "too_long")
            {
                // Saturating input never loses frames: the same frame is offered again when room frees up.
                port.Stats.Offered--;
                port.Blocked = true;
                _anyBlocked = true;
                return;
            }
            port.Stats.Drops[drop] = port.Stats.Drops.GetValueOrDefault(drop) + 1;
        }
        else
        {
            // Microcode may free any address inside a buffer (typically the frame address it was given).
            var bufBase = one[0] & ~(uint)(b.SizeBytes - 1);
            if (bufBase < b.DramBase || bufBase >= b.DramBase + (long)b.Count * b.SizeBytes)
                throw new EmulatorException($"buffer free list entry 0x{one[0]:x} is not inside a packet buffer");
            var buf = bufBase + (uint)b.HeadroomBytes;
            f.Data.CopyTo(_chip.DramMemory.AsSpan((int)buf));
            var done = _chip.DramUnit.Issue(t, len);
            _rxReserved += 2;
            _deliveries.Enqueue((done, new Ev(Kind.RxDeliver, p, buf, len)));
            _chip.LowerHorizon(done, _index);
            port.Stats.RxPackets++;
            port.Stats.RxBytes += len;
        }
        Advance(p, t);
    }

    private void Advance(int p, long t)
    {
        var port = _ports[p];
        port.Next++;
        if (port.Next == port.Input.Count)
        {
            if (port.RepeatLeft == 0)
            {
                _inputPending--;
                return;
            }
            port.RepeatLeft--;
            port.Next = 0;
            port.RepeatShiftNs += _traceSpanNs;
        }
        ScheduleArrival(p, t);
    }

    private void RxDeliver(Ev e, long t)
    {
        _rxReserved -= 2;
        Span<uint> d = [e.Addr, (uint)(e.Port << 16 | e.Len)];
        if (!_rxRing!.Put(d, t))
        {
            // Only possible when microcode also puts on the receive ring; account the frame as dropped.
            var s = _ports[e.Port].Stats;
            s.Drops["rx_ring_full"] = s.Drops.GetValueOrDefault("rx_ring_full") + 1;
            s.RxPackets--;
            FreeBuffer(e.Addr, t);
        }
        LastActivity = t;
    }

    private void TxFetch(int p, long t)
    {
        var port = _ports[p];
        Span<uint> d = stackalloc uint[2];
        if (!port.TxRing!.Get(d, t))
        {
            port.TxActive = false;
            return;
        }
        var addr = d[0];
        var len = (int)(d[1] & 0xffff);
        var m = _chip.Machine;
        var bufMask = (uint)(m.Buffers.SizeBytes - 1);
        if (len == 0 || addr + (long)len > _chip.DramMemory.Length || (addr & bufMask) + len > m.Buffers.SizeBytes)
        {
            port.Stats.Drops["bad_descriptor"] = port.Stats.Drops.GetValueOrDefault("bad_descriptor") + 1;
            FreeBuffer(addr, t);
            Push(t, new Ev(Kind.TxFetch, p, 0, 0));
            return;
        }
        var done = _chip.DramUnit.Issue(t, len);
        var data = _chip.DramMemory.AsSpan((int)addr, len).ToArray();
        var startExact = Math.Max(done, port.LineFreeAt);
        var start = (long)Math.Ceiling(startExact);
        port.LineFreeAt = startExact + WireCycles(port, len);
        var end = (long)Math.Ceiling(port.LineFreeAt);
        // Time of day, as the interpreter stamps its output and as now() reads on the chip: the trace epoch (cycle 0)
        // plus the emulated time at the first bit.
        port.Output.Add(new TxFrame(start, TraceEpochNs + (long)Math.Floor(startExact * 1e9 / m.ClockHz), data));
        port.Stats.TxPackets++;
        port.Stats.TxBytes += len;
        Push(end, new Ev(Kind.TxDone, p, addr, len));
        // Fetch the next descriptor when this frame starts, so its DRAM read overlaps this transmission.
        Push(start, new Ev(Kind.TxFetch, p, 0, 0));
    }

    private void TxDone(Ev e, long t)
    {
        FreeBuffer(e.Addr, t);
        LastActivity = t;
    }

    private void FreeBuffer(uint addr, long t)
    {
        var b = _chip.Machine.Buffers;
        Span<uint> one = [addr & ~(uint)(b.SizeBytes - 1)];
        if (!_freeList!.Put(one, t)) throw new EmulatorException($"buffer free list overflow returning 0x{addr:x}: a buffer was freed twice");
    }

    /// <summary>Packet buffers not on the free list: frames received and neither sent nor dropped yet.</summary>
    public int BuffersInUse => _freeList is null ? 0 : _chip.Machine.Buffers.Count - _freeList.Count;

    /// <summary>Every port has offered all its input.</summary>
    public bool InputDone => _inputPending == 0;

    private int _inputPending;

    /// <summary>True when all input was offered, every buffer is back on the free list and every port has sent its last frame.</summary>
    internal bool Emptied(long now) =>
        _freeList is not null && InputDone && _rxReserved == 0 && _freeList.Count == _chip.Machine.Buffers.Count
        && _ports.All(p => !p.TxActive || p.LineFreeAt <= now);

    /// <summary>
    /// True when no more input will come (<see cref="InputStopped"/>) and nothing was received, sent or dropped for
    /// <paramref name="idle"/> cycles: the packets still in the chip circulate among the MEs or wait for each other,
    /// and the run reports them in flight.
    /// </summary>
    internal bool Quiet(long now, long idle) => _freeList is not null && InputStopped && now - LastActivity > idle;
}
