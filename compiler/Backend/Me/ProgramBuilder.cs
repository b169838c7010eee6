using System.Globalization;
using System.Text;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.IR;
using Baker.Runtime.Machine;
using Baker.Runtime.Memory;

namespace Baker.Compiler.Backend.Me;

/// <summary>
/// The whole microcode program of an app: its text, the memory map and what the build report lists. InputRings
/// maps the ring key of each input endpoint read from a scratch ring to the ring's id, NnInputs the key of each
/// input read from its ME's next-neighbor ring to that ME (NnRings).
/// </summary>
public sealed record MeBuild(string Assembly, MemoryMap Map, IReadOnlyDictionary<int, MeProgram> PerMe, IReadOnlyDictionary<string, int> InputRings,
    IReadOnlyDictionary<string, int> NnInputs);

/// <summary>
/// Builds the microcode program of an app (compiler/docs/me-backend.md, "Program"): per ME, the process
/// functions of the instances placed on it, compiled by MeBackend, and a dispatch loop run by all 8
/// contexts: take the next packet from the ME's input rings (the furthest from rx first: Depths), set up its
/// record, call the instance's process function, repeat. Channels become scratch rings, one per input endpoint that has
/// channels into it, or next-neighbor rings where the placement allows (NnRings); the channel from rx reads the
/// receive ring; an output to tx transmits. Faults branch
/// to __fault_REASON, which frees every packet the thread owns and counts each on the reason's .drop counter.
/// Order: each poll of a ring takes the ME's next ticket, with no context swap before the get, so tickets
/// follow ring order; a put waits until the ME has served every earlier ticket, and an invocation (or an
/// empty poll) ends by passing the turn on (__retire). Packets thus leave each ME in the order they came,
/// and a flow, whose packets all take the same path through the PPFs, keeps its order end to end.
/// </summary>
public static class ProgramBuilder
{
    /// <summary>Drop reasons counted by compiled code (the interpreter's names where they exist).</summary>
    public static readonly string[] DropReasons =
        ["program", "truncated", "bounds", "div_by_zero", "deadlock", "packet_too_large", "internal_error", "bad_port", "no_buffer"];

    private const int ChannelRingWords = 128;

    /// <summary>The signal a context sleeps on between packets (the runtime's references use 1..3).</summary>
    private const int WakeSignal = 4;

    public static (MeBuild? Build, IReadOnlyList<Diagnostic> Diagnostics) Build(IrModule module, MachineDescription machine, Placement placement)
    {
        var diags = Check(module, machine);
        if (diags.Count > 0) return (null, diags);

        // Rings: the receive ring for the endpoint rx feeds, one scratch ring per other fed input endpoint (and one
        // for the channels from PPFs into the input rx feeds: RingKey), after the machine's own scratch rings (ids and bytes).
        var machineRings = machine.Rings.Where(r => r.Space == MemorySpace.Scratch).ToList();
        var firstRing = machineRings.Select(r => r.Id + 1).DefaultIfEmpty(0).Max();
        var ringsBase = machineRings.Select(r => r.Base + (uint)r.SizeWords * 4).DefaultIfEmpty(0u).Max();
        var rings = new Dictionary<string, int>();
        var nn = NnRings(module, machine, placement);
        var ringDecls = new StringBuilder();
        foreach (var c in module.Channels.Where(c => !c.To.IsDriver))
        {
            var key = RingKey(module, c);
            if (rings.ContainsKey(key) || nn.ContainsKey(key)) continue;
            if (c.From.IsDriver) { rings[key] = machine.Receive.Ring; continue; }
            var id = firstRing + rings.Values.Count(v => v >= firstRing);
            rings[key] = id;
            ringDecls.Append(CultureInfo.InvariantCulture, $".ring scratch {id} base={ringsBase + (id - firstRing) * ChannelRingWords * 4} size={ChannelRingWords}\n");
        }
        var channelRings = rings.Values.Count(v => v >= firstRing);
        var room = (int)Math.Min(Chip.RingIds - firstRing, Math.Max(0, machine.Scratch.SizeBytes - ringsBase) / (ChannelRingWords * 4));
        if (channelRings > room)
            return (null, [DiagnosticCatalog.MeChannelRings.At(MeBackend.Span(module.Location), channelRings, ChannelRingWords, room, machine.Name)]);

        var perMe = new Dictionary<int, MeProgram>();
        foreach (var me in placement.MeOf.Values.Distinct().Order())
        {
            var roots = module.Instances.Where(i => placement.MeOf[i.Path] == me)
                .SelectMany(i => i.Endpoints.Where(e => e.IsInput && e.Process is not null).Select(e => e.Process!)).ToList();
            // Each ME's frame constants under their own names: .equ names are image-wide, and a helper's frames
            // lie at other offsets on another ME.
            var (code, d) = MeBackend.Compile(roots, $"me{me}_");
            diags.AddRange(d);
            if (code is not null) perMe[me] = code;
        }
        if (diags.Count > 0) return (null, diags);

        var depths = Depths(module);
        // Only what ME code refers to goes to the chip: tables the control core alone keeps (a route table's
        // uncompressed shadow, say) stay in its memory.
        var used = perMe.Values.SelectMany(p => p.Objects).ToHashSet();
        var map = new MemoryMap(module.Objects.Where(used.Contains), perMe.Values.Select(p => p.SlotStackBytes).DefaultIfEmpty(0).Max());
        var recordBytes = (long)machine.Buffers.Count << InstructionSelection.RecordShift;
        if (map.Records + recordBytes > machine.Sram.SizeBytes)
        {
            var largest = string.Join(", ", map.Objects.Keys.OrderByDescending(o => o.Size).Take(3).Select(o => $"{o} {o.Size}"));
            return (null, [DiagnosticCatalog.MeSramTooSmall.At(MeBackend.Span(module.Location), map.Records + recordBytes, machine.Name,
                machine.Sram.SizeBytes, map.ObjectsBase, map.SlotStacks - map.ObjectsBase, largest,
                map.Records - map.SlotStacks, recordBytes)]);
        }
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"; {module.App}: microcode built by bakerc for {machine.Name}\n");
        sb.Append(map.Declarations(module, machine));
        foreach (var inst in module.Instances)
            foreach (var e in inst.Endpoints.Where(e => !e.IsInput))
            {
                var ch = module.Channels.Find(c => c.From.Instance == inst.Path && c.From.Endpoint == e.Name);
                var code = ch is null ? -1 : ch.To.IsDriver ? InstructionSelection.TxEndpoint
                    : nn.ContainsKey(RingKey(module, ch)) ? InstructionSelection.NnEndpoint : rings[RingKey(module, ch)];
                sb.Append(CultureInfo.InvariantCulture, $".equ {InstructionSelection.EndpointSymbol(inst.Path, e.Name)} = {code}\n");
            }
        sb.Append(ringDecls);
        foreach (var r in DropReasons) sb.Append(CultureInfo.InvariantCulture, $".drop {r} sram DROP_{r}\n");
        sb.Append(".made made sram MADE_PACKETS\n");
        foreach (var (me, code) in perMe)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n.me {me}\n.ctx 0-{MemoryMap.Contexts - 1}\n");
            sb.Append(code.Constants);
            Dispatch(sb, module, placement, me, rings, nn, depths);
            sb.Append(MemoryMap.RuntimeLibrary).Append(Clock.Called(code) ? Clock.Routine(machine, map.ClockEpoch) : "");
            sb.Append(TraceLog.Called(code) ? TraceLog.RoutineText : "");
            sb.Append(code.Code);
        }
        return (new MeBuild(sb.ToString(), map, perMe, rings, nn), diags);
    }

    /// <summary>
    /// The channels that become next-neighbor rings, by ring key, each with its consumer's ME. A channel qualifies when
    /// its producer instance is on ME k and its consumer on ME k + 1 (mod the ME count: the chip's next neighbour), the
    /// input it feeds has no other channel (the ring then carries exactly what a scratch ring would), no control code
    /// or init can put on it (the control core puts on scratch rings only: ChipControl), and the consumer's ME has no
    /// NN ring yet (one per ME; the first qualifying channel in the module's order takes it).
    /// </summary>
    public static Dictionary<string, int> NnRings(IrModule module, MachineDescription machine, Placement placement)
    {
        var count = machine.Microengines.Count;
        var controlPuts = ControlPuts(module);
        var nn = new Dictionary<string, int>();
        foreach (var c in module.Channels.Where(c => !c.From.IsDriver && !c.To.IsDriver))
        {
            if (!placement.MeOf.TryGetValue(c.From.Instance!, out var from) || !placement.MeOf.TryGetValue(c.To.Instance!, out var to)) continue;
            // An ME's own ring would be its own next neighbour on a one-ME machine: a scratch ring is as good there.
            if (to == from || to != (from + 1) % count) continue;
            if (module.Channels.Count(x => x.To == c.To) != 1) continue;
            if (controlPuts.Contains((c.From.Instance!, c.From.Endpoint!))) continue;
            if (nn.ContainsValue(to)) continue;
            nn[RingKey(module, c)] = to;
        }
        return nn;
    }

    /// <summary>The output endpoints (instance, endpoint) an instance's init or control functions, or what they call, put on.</summary>
    private static HashSet<(string, string)> ControlPuts(IrModule module)
    {
        var puts = new HashSet<(string, string)>();
        foreach (var inst in module.Instances)
        {
            var seen = new HashSet<IrFunction>();
            var work = new Stack<IrFunction>(inst.Controls.Append(inst.Init).OfType<IrFunction>());
            while (work.TryPop(out var f))
            {
                if (!seen.Add(f)) continue;
                foreach (var ins in f.Blocks.SelectMany(b => b.Instructions))
                    if (ins.Op == Op.Put) puts.Add((f.Instance ?? inst.Path, ((EndpointRef)ins.Operands[0]).Name));
                    else if (ins.Op == Op.Call) work.Push(((FunctionRef)ins.Operands[0]).Target);
            }
        }
        return puts;
    }

    /// <summary>What the app and the machine must be for this back end: the buffer size it is built for, metadata that
    /// fits a packet record, one input fed by rx, and transmit rings that a port number indexes.</summary>
    private static List<Diagnostic> Check(IrModule module, MachineDescription machine)
    {
        var diags = new List<Diagnostic>();
        var app = MeBackend.Span(module.Location);
        if (machine.Buffers.SizeBytes != 1 << InstructionSelection.BufferShift)
            diags.Add(DiagnosticCatalog.MeBufferSize.At(app, 1 << InstructionSelection.BufferShift, machine.Name, machine.Buffers.SizeBytes));
        if (module.Metadata.Count > InstructionSelection.MaxMetaFields)
        {
            var first = module.Metadata[InstructionSelection.MaxMetaFields];
            diags.Add(DiagnosticCatalog.MeTooManyMetadataFields.At(first.Location is null ? app : MeBackend.Span(first.Location),
                module.Metadata.Count, InstructionSelection.MaxMetaFields, first.Name));
        }
        var fromRx = module.Channels.Where(c => c.From.IsDriver).ToList();
        if (fromRx.Count > 1)
            diags.Add(DiagnosticCatalog.MeReceiveChannels.At(app, fromRx.Count, string.Join(", ", fromRx)));
        var ports = machine.Ports;
        for (var p = 0; p < ports.Count; p++)
            if (ports[p].TxRingSpace != MemorySpace.Scratch || ports[p].TxRing != ports[0].TxRing + p)
            {
                diags.Add(DiagnosticCatalog.MeTransmitRings.At(app, machine.Name, p, MemorySpaceNames.Name(ports[p].TxRingSpace), ports[p].TxRing, ports[0].TxRing));
                break;
            }
        return diags;
    }

    /// <summary>
    /// How many channels each fed input endpoint is from rx (its shortest path; 0 for the input rx feeds). The
    /// dispatch loop polls the deepest inputs first: a context takes new work from upstream only when the work
    /// further down is done, so a ring between two PPFs of one ME, or between two MEs that feed each other,
    /// cannot fill while every context waits to put into it (a put into a full ring waits for room).
    /// </summary>
    private static Dictionary<string, int> Depths(IrModule module)
    {
        var depth = new Dictionary<string, int>();
        var queue = new Queue<string>();
        foreach (var c in module.Channels.Where(c => c.From.IsDriver && !c.To.IsDriver))
            if (depth.TryAdd(c.To.Instance!, 0)) queue.Enqueue(c.To.Instance!);
        while (queue.Count > 0)
        {
            var inst = queue.Dequeue();
            foreach (var c in module.Channels.Where(c => c.From.Instance == inst && !c.To.IsDriver))
                if (depth.TryAdd(c.To.Instance!, depth[inst] + 1)) queue.Enqueue(c.To.Instance!);
        }
        // An input unreachable from rx sorts last.
        return module.Channels.Where(c => !c.To.IsDriver).GroupBy(c => RingKey(module, c))
            .ToDictionary(g => g.Key, g => g.Min(c => c.From.IsDriver ? 0 : depth.TryGetValue(c.From.Instance!, out var d) ? d + 1 : int.MaxValue / 2));
    }

    /// <summary>
    /// The ring a channel ends in, by key: its input endpoint (<c>inst.in</c>), except that a channel from a PPF into the
    /// input rx feeds has a ring of its own (<c>inst.in#</c>): the receive ring carries receive descriptors (address,
    /// port and length; the dispatch loop makes the record), a channel ring handles of packets whose record exists.
    /// </summary>
    public static string RingKey(IrModule module, IrChannel c)
    {
        var key = c.To.Describe(false);
        return !c.From.IsDriver && module.Channels.Exists(r => r.From.IsDriver && r.To == c.To) ? key + "#" : key;
    }

    /// <summary>The thread start, the dispatch loop over this ME's input rings and the fault handlers.</summary>
    private static void Dispatch(StringBuilder sb, IrModule module, Placement placement, int me, Dictionary<string, int> rings,
        Dictionary<string, int> nn, Dictionary<string, int> depths)
    {
        var rxKey = module.Channels.Find(c => c.From.IsDriver)?.To.Describe(false);
        var inputs = module.Instances.Where(i => placement.MeOf[i.Path] == me)
            .SelectMany(i => i.Endpoints.Where(e => e.IsInput && e.Process is not null)
                .SelectMany(e => new[] { $"{i.Path}.{e.Name}", $"{i.Path}.{e.Name}#" }.Where(k => rings.ContainsKey(k) || nn.ContainsKey(k))
                    .Select(key => (Key: key, Fn: InstructionSelection.Label(e.Process!)))))
            .OrderByDescending(x => depths[x.Key]).ToList();
        var inPort = module.Metadata.FindIndex(m => m.Name == "in_port");
        var recordWords = 2 + 2 * module.Metadata.Count;
        sb.Append("    bal[b15, __thread_init]\n");
        sb.Append("dispatch:\n");
        for (var k = 0; k < inputs.Count; k++)
        {
            var (key, fn) = inputs[k];
            var rx = key == rxKey;
            // The ticket is taken with no context swap before the get, so tickets follow the ring's order.
            sb.Append("    immed[a15, SEQ_WORDS]\n    local_csr_wr[active_lm_addr_0, a15]\n");
            sb.Append("    alu[a15, --, B, *l$index0[0]]\n    alu[*l$index1[15], --, B, a15]\n    alu[*l$index0[0], a15, +, 1]\n");
            // The NN ring's pop gives 0 when the ring is empty, as a get from an empty scratch ring fills $0 with 0
            // (a handle is never 0), and takes no swap.
            if (nn.ContainsKey(key)) sb.Append("    alu[a12, --, B, *n$index++]\n");
            else sb.Append(CultureInfo.InvariantCulture, $"    scratch[get, $0, --, {rings[key]}, {(rx ? 2 : 1)}], ctx_swap[1]\n    alu[a12, --, B, $0]\n");
            sb.Append(CultureInfo.InvariantCulture, $"    br_ne[dispatch_got{k}]\n    bal[b15, __retire]\n    br[dispatch_{k + 1}]\ndispatch_got{k}:\n");
            if (rx)
            {
                // A received frame: its record is end = address + length, metadata zero but in_port.
                sb.Append("    alu[b13, $1, AND, 0xffff]\n    alu[b13, a12, +, b13]\n    alu_shf[a13, --, B, $1, >>16]\n");
                sb.Append("    alu[a15, a12, -, BUF_BASE]\n    alu_shf[a15, --, B, a15, >>11]\n    alu_shf[a15, --, B, a15, <<7]\n");
                for (var w0 = 0; w0 < recordWords; w0 += 16)
                {
                    var n = Math.Min(16, recordWords - w0);
                    for (var w = w0; w < w0 + n; w++)
                    {
                        var src = w == 0 ? "b13" : inPort >= 0 && w == 2 + 2 * inPort ? "a13" : null;
                        sb.Append(src is null ? $"    immed[${w - w0}, 0]\n" : $"    alu[${w - w0}, --, B, {src}]\n");
                    }
                    sb.Append(CultureInfo.InvariantCulture, $"    sram[write, $0, a15, REC_BASE+{4 * w0}, {n}], ctx_swap[1]\n");
                }
            }
            sb.Append("    alu[*l$index1[1], a12, AND~, BUF_MASK]\n");
            sb.Append(CultureInfo.InvariantCulture, $"    bal[a14, {fn}]\n    bal[b15, __retire]\n    br[dispatch]\n");
            sb.Append(CultureInfo.InvariantCulture, $"dispatch_{k + 1}:\n");
        }
        // Every input was empty: park on all of them (nn_wait for the NN ring) and sleep until a put on one (the
        // receive ring's put is the port's, the NN ring's the previous ME's push), instead of polling; the emulator skips the idle time, as the chip would sleep.
        foreach (var (key, _) in inputs)
        {
            if (nn.ContainsKey(key)) sb.Append(CultureInfo.InvariantCulture, $"    local_csr_wr[nn_wait, {WakeSignal}]\n");
            else sb.Append(CultureInfo.InvariantCulture, $"    scratch[wait, --, --, {rings[key]}, 1], sig_done[{WakeSignal}]\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"    ctx_arb[{WakeSignal}]\n    br[dispatch]\n");
        foreach (var r in DropReasons)
            sb.Append(CultureInfo.InvariantCulture, $"__fault_{r}:\n    immed[a12, DROP_{r}]\n    br[__fault]\n");
        // A fault: the locks the invocation holds are released (__locks_release keeps a12); every packet the
        // thread owns (context block words 1..7) goes back to the free list, each counted under the reason
        // whose counter is at a12 (before the buffer returns: a drained run stops when the last buffer is back).
        sb.Append("__fault:\n    bal[b15, __locks_release]\n");
        for (var k = 1; k <= 7; k++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    alu[a15, --, B, *l$index1[{k}]]\n    br_eq[__fault_free{k}]\n");
            sb.Append(CultureInfo.InvariantCulture, $"    sram[incr, --, a12, 0, 1], ctx_swap[1]\n");
            sb.Append(CultureInfo.InvariantCulture, $"    alu[$0, --, B, a15]\n    sram[put, $0, --, FREE_LIST, 1], ctx_swap[1]\n    alu[*l$index1[{k}], --, B, 0]\n__fault_free{k}:\n");
        }
        sb.Append("    bal[b15, __retire]\n    br[dispatch]\n");
    }
}
