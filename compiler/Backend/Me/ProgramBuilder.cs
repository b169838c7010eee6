using System.Globalization;
using System.Text;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.IR;
using Baker.Runtime.Machine;

namespace Baker.Compiler.Backend.Me;

/// <summary>Which ME runs each PPF instance.</summary>
public sealed record Placement(IReadOnlyDictionary<string, int> MeOf)
{
    /// <summary>The default: instance k on ME k mod <paramref name="mes"/>, in instance order (PPFs beyond the ME count share).</summary>
    public static Placement Default(IrModule m, int mes) =>
        new(m.Instances.Select((inst, k) => (inst.Path, k % mes)).ToDictionary(x => x.Path, x => x.Item2));
}

/// <summary>The whole microcode program of an app: its text, the memory map and what the build report lists.</summary>
public sealed record MeBuild(string Assembly, MemoryMap Map, IReadOnlyDictionary<int, MeProgram> PerMe, IReadOnlyDictionary<string, int> InputRings);

/// <summary>
/// Builds the microcode program of an app (compiler/docs/me-backend.md, "Program"): per ME, the process
/// functions of the instances placed on it, compiled by MeBackend, and a dispatch loop run by all 8
/// contexts: take the next packet from the ME's input rings (round robin), set up its record, call the
/// instance's process function, repeat. Channels become scratch rings, one per input endpoint that has
/// channels into it; the channel from rx reads the receive ring; an output to tx transmits. Faults branch
/// to __fault_REASON, which frees the packet the thread owns and counts the reason on a .drop counter.
/// </summary>
public static class ProgramBuilder
{
    /// <summary>Drop reasons counted by compiled code (the interpreter's names where they exist).</summary>
    public static readonly string[] DropReasons =
        ["program", "truncated", "bounds", "div_by_zero", "deadlock", "packet_too_large", "internal_error", "bad_port"];

    private const int FirstChannelRing = 4, ChannelRingWords = 128;
    private const uint ScratchRingsBase = 8192;

    public static (MeBuild? Build, IReadOnlyList<Diagnostic> Diagnostics) Build(IrModule module, MachineDescription machine, Placement placement)
    {
        var diags = new List<Diagnostic>();
        if (machine.Buffers.SizeBytes != 1 << InstructionSelection.BufferShift)
            throw new InvalidOperationException($"the microengine back end needs {1 << InstructionSelection.BufferShift}-byte packet buffers (the machine has {machine.Buffers.SizeBytes})");
        if (module.Metadata.Count > InstructionSelection.MaxMetaFields)
            throw new InvalidOperationException($"the app has {module.Metadata.Count} metadata fields; packet records hold {InstructionSelection.MaxMetaFields}");

        // Rings: the receive ring for the endpoint rx feeds, one scratch ring per other fed input endpoint.
        var rings = new Dictionary<string, int>();
        var ringDecls = new StringBuilder();
        foreach (var c in module.Channels.Where(c => !c.To.IsDriver))
        {
            var key = c.To.Describe(false);
            if (rings.ContainsKey(key)) continue;
            if (c.From.IsDriver) { rings[key] = machine.Receive.Ring; continue; }
            var id = FirstChannelRing + rings.Values.Count(v => v >= FirstChannelRing);
            rings[key] = id;
            ringDecls.Append(CultureInfo.InvariantCulture, $".ring scratch {id} base={ScratchRingsBase + (id - FirstChannelRing) * ChannelRingWords * 4} size={ChannelRingWords}\n");
        }
        if (module.Channels.Count(c => c.From.IsDriver) > 1)
            throw new InvalidOperationException("the microengine back end supports one channel from rx");

        var perMe = new Dictionary<int, MeProgram>();
        foreach (var me in placement.MeOf.Values.Distinct().Order())
        {
            var roots = module.Instances.Where(i => placement.MeOf[i.Path] == me)
                .SelectMany(i => i.Endpoints.Where(e => e.IsInput && e.Process is not null).Select(e => e.Process!)).ToList();
            var (code, d) = MeBackend.Compile(roots);
            diags.AddRange(d);
            if (code is not null) perMe[me] = code;
        }
        if (diags.Count > 0) return (null, diags);

        var map = new MemoryMap(module.Objects, perMe.Values.Select(p => p.SlotStackBytes).DefaultIfEmpty(0).Max());
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"; {module.App}: microcode built by bakerc for {machine.Name}\n");
        sb.Append(map.Declarations(module, machine));
        foreach (var inst in module.Instances)
            foreach (var e in inst.Endpoints.Where(e => !e.IsInput))
            {
                var ch = module.Channels.Find(c => c.From.Instance == inst.Path && c.From.Endpoint == e.Name);
                var code = ch is null ? -1 : ch.To.IsDriver ? InstructionSelection.TxEndpoint : rings[ch.To.Describe(false)];
                sb.Append(CultureInfo.InvariantCulture, $".equ {InstructionSelection.EndpointSymbol(inst.Path, e.Name)} = {code}\n");
            }
        sb.Append(ringDecls);
        foreach (var r in DropReasons) sb.Append(CultureInfo.InvariantCulture, $".drop {r} sram DROP_{r}\n");
        foreach (var (me, code) in perMe)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n.me {me}\n.ctx 0-{MemoryMap.Contexts - 1}\n");
            sb.Append(code.Constants);
            Dispatch(sb, module, placement, me, rings);
            sb.Append(MemoryMap.RuntimeLibrary).Append(Clock.Called(code) ? Clock.Routine(machine, map.ClockEpoch) : "");
            sb.Append(code.Code);
        }
        return (new MeBuild(sb.ToString(), map, perMe, rings), diags);
    }

    /// <summary>The thread start, the dispatch loop over this ME's input rings and the fault handlers.</summary>
    private static void Dispatch(StringBuilder sb, IrModule module, Placement placement, int me, Dictionary<string, int> rings)
    {
        var rxKey = module.Channels.Find(c => c.From.IsDriver)?.To.Describe(false);
        var inputs = module.Instances.Where(i => placement.MeOf[i.Path] == me)
            .SelectMany(i => i.Endpoints.Where(e => e.IsInput && e.Process is not null && rings.ContainsKey($"{i.Path}.{e.Name}"))
                .Select(e => (Key: $"{i.Path}.{e.Name}", Fn: InstructionSelection.Label(e.Process!)))).ToList();
        var inPort = module.Metadata.FindIndex(m => m.Name == "in_port");
        var recordWords = 2 + 2 * module.Metadata.Count;
        sb.Append("    bal[b15, __thread_init]\n");
        sb.Append("dispatch:\n");
        for (var k = 0; k < inputs.Count; k++)
        {
            var (key, fn) = inputs[k];
            var ring = rings[key];
            var rx = key == rxKey;
            sb.Append(CultureInfo.InvariantCulture, $"    scratch[get, $0, --, {ring}, {(rx ? 2 : 1)}], ctx_swap[1]\n");
            sb.Append("    alu[a12, --, B, $0]\n");
            sb.Append(CultureInfo.InvariantCulture, $"    br_eq[dispatch_{k + 1}]\n");
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
            sb.Append(CultureInfo.InvariantCulture, $"    bal[a14, {fn}]\n    br[dispatch]\n");
            sb.Append(CultureInfo.InvariantCulture, $"dispatch_{k + 1}:\n");
        }
        sb.Append("    ctx_arb[voluntary]\n    br[dispatch]\n");
        foreach (var r in DropReasons)
            sb.Append(CultureInfo.InvariantCulture, $"__fault_{r}:\n    immed[a12, DROP_{r}]\n    br[__fault]\n");
        sb.Append("""
            ; A fault: the packet this thread owns goes back to the free list, counted under the reason in a12.
            __fault:
                alu[a15, --, B, *l$index1[1]]
                br_eq[dispatch]
                alu[$0, --, B, a15]
                sram[put, $0, --, FREE_LIST, 1], ctx_swap[1]
                sram[incr, --, a12, 0, 1], ctx_swap[1]
                alu[*l$index1[1], --, B, 0]
                br[dispatch]

            """.Replace("            ", ""));
    }
}
