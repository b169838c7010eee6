using System.Buffers.Binary;
using Baker.Compiler.Backend.Me;
using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;
using Baker.Runtime.Machine;
using Baker.Runtime.Memory;
using Core = Baker.Runtime.ControlCore.ControlCore;

namespace Baker.Compiler.Driver;

/// <summary>
/// The control core's side of a chip run (compiler/docs/me-backend.md, "Control core"). Control code runs on
/// the interpreter, which keeps its own copy of every object; the MEs work on the objects' images in SRAM.
/// The loader runs init and the start lines, copies the images into SRAM and stores the trace epoch for
/// now(). Each @time line is a control-core task at its emulated time: it brings the objects the call may
/// touch and MEs may have written into the interpreter (read through the core's data cache, invalidated
/// first so no read is stale), runs the call, writes the words it changed back through the cache and cleans
/// them, so the MEs see them. @time lines later than the traffic and the @end lines run after the chip has
/// drained, in that order, as on the interpreter. Packets control code puts on a channel are made on the chip
/// by the control core (ChipControl.Packets.cs).
/// </summary>
public sealed partial class ChipControl
{
    private readonly IrModule _module;
    private readonly IrInterpreter _interpreter;
    private readonly MeBuild _build;
    private readonly MemoryMap _map;
    private readonly ControlScript? _script;
    /// <summary>Objects the packet code may write (<see cref="WrittenByPackets"/>): only these are read back from SRAM.</summary>
    private readonly HashSet<StorageObject> _meWritten;
    private readonly Dictionary<IrFunction, StorageObject[]> _touched = [];
    private long _epochNs;
    /// <summary>The @time lines with the cycle each runs at, in the order they run.</summary>
    private readonly List<(long Cycle, ControlCall Call)> _timed = [];

    /// <param name="maxCycles">The run's limit: the chip runs again (at most to it) when lines after the traffic made packets.</param>
    public ChipControl(IrModule module, IrInterpreter interpreter, MeBuild build, ControlScript? script, long maxCycles = 60_000_000_000)
    {
        _module = module;
        _interpreter = interpreter;
        _build = build;
        _map = build.Map;
        _script = script;
        _maxCycles = maxCycles;
        _meWritten = WrittenByPackets(module);
    }

    /// <summary>Init, the start lines and the @end/@time lines' log and errors, in the order they ran.</summary>
    public RunResult Result { get; private set; } = new();

    /// <summary>The loader (EmulatorOptions.Setup): before any ME starts.</summary>
    public void Load(Chip chip)
    {
        _epochNs = chip.Ports.TraceEpochNs;
        var puts = new List<ControlPacket>();
        Result = _interpreter.RunSetup(_script, _epochNs, puts.Add);
        foreach (var (o, at) in _map.Objects)
            _interpreter.ReadObject(o.Name).CopyTo(chip.SramMemory.AsSpan((int)at));
        chip.WriteWord(MemorySpace.Sram, _map.ClockEpoch, (uint)_epochNs);
        chip.WriteWord(MemorySpace.Sram, _map.ClockEpoch + 4, (uint)((ulong)_epochNs >> 32));
        // Packets init and the start lines made: the control core's first task, before the traffic (the interpreter
        // processes them before the first packet).
        if (Result.Created > 0)
        {
            var dropped = new Dictionary<string, long>(Result.Dropped);
            chip.ControlCore.Schedule(0, core => Packets(core, dropped, puts));
        }
        // @time lines in time order (a stable sort keeps the file order of equal times), at the cycle the
        // port unit gives that trace time: cycle 0 is the earliest timestamp, rounded as it rounds arrivals.
        var hz = chip.Machine.ClockHz;
        foreach (var call in Calls(ControlWhen.At).OrderBy(c => c.AtNs))
        {
            var cycle = (long)(((Int128)call.AtNs * hz + 500_000_000) / 1_000_000_000);
            _timed.Add((cycle, call));
            chip.ControlCore.Schedule(cycle, core => RunLine(core, call));
        }
    }

    /// <summary>
    /// After the chip stopped: the @time lines it did not reach, then the @end lines. The MEs are asleep, so the
    /// lines run on the core alone; after a line whose packets are on their way, the chip runs again until they drained
    /// (as the interpreter processes a line's packets before the next line).
    /// </summary>
    public void Finish(Chip chip)
    {
        var core = chip.ControlCore;
        _stopped = true;
        foreach (var (cycle, _) in _timed)
        {
            core.RunRemaining(cycle);
            Resume(chip);
        }
        core.RunRemaining();
        Resume(chip);
        foreach (var call in Calls(ControlWhen.End))
        {
            core.Schedule(Math.Max(chip.EndTime, core.Now), c => RunLine(c, call));
            core.RunRemaining();
            Resume(chip);
        }
        Abandon(core);
    }

    private IEnumerable<ControlCall> Calls(ControlWhen when) => (_script?.Calls ?? []).Where(c => c.When == when);

    private void RunLine(Core core, ControlCall call)
    {
        var objects = Function(call) is { } f ? Touched(f) : [];
        foreach (var o in objects.Where(_meWritten.Contains))
        {
            var at = _map.Objects[o];
            core.Invalidate(MemorySpace.Sram, at, o.Size);
            var image = new byte[Words(o) * 4];
            for (var w = 0; w < Words(o); w++)
                BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(4 * w), core.Read32(MemorySpace.Sram, at + (uint)(4 * w)));
            _interpreter.WriteObject(o.Name, image.AsSpan(0, o.Size));
        }
        var before = objects.Select(o => _interpreter.ReadObject(o.Name)).ToArray();
        var dropped = new Dictionary<string, long>(Result.Dropped);
        var puts = new List<ControlPacket>();
        _interpreter.RunControlLine(call, _epochNs + core.Chip.CyclesToNs(core.Now), puts.Add);
        for (var k = 0; k < objects.Length; k++)
        {
            var after = _interpreter.ReadObject(objects[k].Name);
            if (after.AsSpan().SequenceEqual(before[k])) continue;
            WriteBack(core, _map.Objects[objects[k]], before[k], after);
        }
        // The line's packets after its stores are clean: the MEs that take them see what the line wrote.
        var drops = Result.Dropped.Select(d => (d.Key, N: d.Value - dropped.GetValueOrDefault(d.Key))).Where(d => d.N > 0).ToDictionary(d => d.Key, d => d.N);
        if (puts.Count > 0 || drops.Count > 0) Packets(core, drops, puts);
    }

    /// <summary>The words that changed, through the cache, each run of them cleaned to memory (the bytes past an object's end are zero).</summary>
    private static void WriteBack(Core core, uint at, byte[] before, byte[] after)
    {
        var words = (after.Length + 3) / 4;
        var padded = new byte[words * 4];
        after.CopyTo(padded, 0);
        var old = new byte[words * 4];
        before.CopyTo(old, 0);
        for (var w = 0; w < words;)
        {
            if (padded.AsSpan(4 * w, 4).SequenceEqual(old.AsSpan(4 * w, 4))) { w++; continue; }
            var first = w;
            for (; w < words && !padded.AsSpan(4 * w, 4).SequenceEqual(old.AsSpan(4 * w, 4)); w++)
                core.Write32(MemorySpace.Sram, at + (uint)(4 * w), BinaryPrimitives.ReadUInt32BigEndian(padded.AsSpan(4 * w)));
            core.Clean(MemorySpace.Sram, at + (uint)(4 * first), 4 * (w - first));
        }
    }

    private static int Words(StorageObject o) => (o.Size + 3) / 4;

    /// <summary>The control function a line calls, resolved as the interpreter resolves it (null: the interpreter reports it).</summary>
    private IrFunction? Function(ControlCall call) =>
        _module.Instance(call.Path) is { } inst ? inst.Controls.Find(c => c.Name == $"{inst.Path}.{call.Function}") : null;

    /// <summary>The objects a control function and its callees name (globals and state; frame slots are the interpreter's own).</summary>
    private StorageObject[] Touched(IrFunction f)
    {
        if (_touched.TryGetValue(f, out var objects)) return objects;
        var named = Closure([f]).SelectMany(g => g.Blocks).SelectMany(b => b.Instructions)
            .SelectMany(i => i.Operands).OfType<ObjectRef>().Select(r => r.Target).ToHashSet();
        return _touched[f] = _map.Objects.Keys.Where(named.Contains).ToArray();
    }

    /// <summary>
    /// The objects the packet code (process functions and their callees) may write: the named locations of its
    /// stores, copies and locks, and the objects the pointers it writes through may point into. A pointer made by
    /// addr (then moved or advanced) points into that object; one from anywhere else (a parameter, a load, a
    /// conversion) may point into any object whose address the app takes. Objects only control code writes
    /// (tables, settings) stay current in the interpreter and are never read back.
    /// </summary>
    private static HashSet<StorageObject> WrittenByPackets(IrModule module)
    {
        var addressed = module.Functions.SelectMany(f => f.Blocks).SelectMany(b => b.Instructions)
            .Where(i => i.Op == Op.Addr).Select(i => ((ObjectRef)i.Operands[0]).Target).ToHashSet();
        var written = new HashSet<StorageObject>();
        foreach (var f in Closure(module.Instances.SelectMany(i => i.Endpoints).Select(e => e.Process).OfType<IrFunction>()))
        {
            var pointsInto = PointerTargets(f);
            foreach (var i in f.Blocks.SelectMany(b => b.Instructions))
            {
                if (i.Op == Op.Call || (i.Op.Info().Effects & OpEffects.WritesMemory) == 0) continue;
                if (i.Operands[0] is ObjectRef r) written.Add(r.Target);
                else if (i.Operands[0] is Register p && pointsInto.GetValueOrDefault(p) is { } targets) written.UnionWith(targets);
                else written.UnionWith(addressed);
            }
        }
        return written;
    }

    /// <summary>
    /// For each register of <paramref name="f"/>, the objects it may point into over all its definitions (the IR
    /// is not SSA), or null when it may come from elsewhere: a fixed point, as a mov or ptradd may come before
    /// the definition it copies in block order.
    /// </summary>
    private static Dictionary<Register, HashSet<StorageObject>?> PointerTargets(IrFunction f)
    {
        var targets = f.Params.ToDictionary(p => p, HashSet<StorageObject>? (_) => null);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var i in f.Blocks.SelectMany(b => b.Instructions))
            {
                if (i.Dest is not { } d) continue;
                HashSet<StorageObject>? from = i.Op switch
                {
                    Op.Addr => [((ObjectRef)i.Operands[0]).Target],
                    Op.Mov or Op.PtrAdd when i.Operands[0] is Register x => targets.TryGetValue(x, out var t) ? t : [],
                    _ => null,
                };
                if (!targets.TryGetValue(d, out var have)) { targets[d] = from is null ? null : [.. from]; changed = true; }
                else if (have is null) continue;
                else if (from is null) { targets[d] = null; changed = true; }
                else if (!from.IsSubsetOf(have)) { have.UnionWith(from); changed = true; }
            }
        }
        return targets;
    }

    private static List<IrFunction> Closure(IEnumerable<IrFunction> roots)
    {
        var seen = new HashSet<IrFunction>();
        var order = new List<IrFunction>();
        var work = new Stack<IrFunction>(roots);
        while (work.Count > 0)
        {
            var f = work.Pop();
            if (!seen.Add(f)) continue;
            order.Add(f);
            foreach (var i in f.Blocks.SelectMany(b => b.Instructions))
                if (i.Op == Op.Call) work.Push(((FunctionRef)i.Operands[0]).Target);
        }
        return order;
    }
}
