using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Baker.Compiler.Backend.Me;
using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;
using Baker.Runtime.Isa;
using Baker.Runtime.Machine;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>
/// The microengine back end against the reference interpreter, on the op files of tests/interp/ops.
/// Every <c>; run: @f(ARGS)</c> line whose function the back end compiles runs twice: on the interpreter,
/// and as microcode on the emulated chip (a wrapper program loads the arguments, calls the function,
/// stores its result or the fault it took to scratch and halts). The two must agree on the value or
/// the fault, and on the text of every trace line (the chip's from its trace log in DRAM; the times
/// differ: the interpreter's clock reads 0 outside a run, the chip's runs). Functions the back end does not translate yet are listed with the BK5201 reason in
/// tests/backend/me_unsupported.txt: that file is checked as a snapshot, so a function that stops
/// compiling fails the test, and one that starts compiling must be blessed off the list. Where the chip
/// differs by design (its buffers' headroom, no run-time check of stale handles), tests/backend/me_limits.txt
/// says how, and the chip must differ exactly that way.
/// </summary>
public class MeOpTests
{
    private static readonly string OpsDir = Repo.Path("tests", "interp", "ops");
    private static readonly Regex RunLine = new(
        @"^;\s*run:\s*@(?<name>[\w.]+)\((?<args>[^)]*)\)\s*(?:==\s*(?<value>-?\w+)|faults\s+(?<reason>[a-z_]+))\s*$");

    private const uint ResultAddr = 0x3000;
    private const long DeadlockAtOnceCycles = 20_000;
    private static readonly string[] FaultReasons = ProgramBuilder.DropReasons;

    [Fact]
    public void CompiledFunctionsAgreeWithTheInterpreter()
    {
        var limits = File.ReadAllLines(Repo.Path("tests", "backend", "me_limits.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(p => $"{p[0]} {p[1]}", p => (Kind: p[2], Reason: p[3]));
        var limitsSeen = 0;
        var unsupported = new StringBuilder();
        var failures = new List<string>();
        var runs = 0;
        var tracedLines = 0;
        foreach (var path in Directory.GetFiles(OpsDir, "*.ir").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            var text = File.ReadAllText(path);
            var module = IrParser.Parse(text, name);
            var compiled = new Dictionary<string, MeProgram?>();
            foreach (var (line, lineNo) in text.Split('\n').Select((l, i) => (l.TrimEnd('\r'), i + 1)))
            {
                var m = RunLine.Match(line);
                if (!m.Success) continue;
                var f = module.Function(m.Groups["name"].Value)!;
                if (!compiled.TryGetValue(f.Name, out var code))
                {
                    var (c, diags) = MeBackend.Compile([f]);
                    compiled[f.Name] = code = c;
                    if (c is null)
                        foreach (var d in diags) unsupported.Append(CultureInfo.InvariantCulture, $"{name} @{f.Name}: {d.Code} {d.Message}\n");
                }
                if (code is null) continue;
                var args = m.Groups["args"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Interpreter.InterpreterOpTests.Number).ToArray();
                // A fresh interpreter and a fresh chip per line: both start from the objects' initial values.
                var interpreter = new IrInterpreter(module);
                var expected = interpreter.Call(f.Name, args);
                var expectedFault = interpreter.LastFault?.Split(':')[0];
                var (value, fault, asm, traces, cycles) = RunOnChipTimed(module, f, code, args);
                runs++;
                var where = $"{name}:{lineNo} @{f.Name}({m.Groups["args"].Value})";
                var expectedTraces = interpreter.TraceLines.Select(TraceFormat.TextOf).ToList();
                if (!expectedTraces.SequenceEqual(traces.Select(TraceFormat.TextOf)))
                    failures.Add($"{where}: the interpreter traced [{string.Join(" | ", expectedTraces)}], the microcode [{string.Join(" | ", traces.Select(TraceFormat.TextOf))}]");
                tracedLines += traces.Count;
                if (limits.TryGetValue($"{name} @{f.Name}", out var limit))
                {
                    limitsSeen++;
                    var asLimit = limit.Kind switch
                    {
                        "faults" => expected is not null && fault == limit.Reason,
                        "misses" => expectedFault == limit.Reason && fault is null,
                        // A clock that runs: the cycles since the ME started, in ns, from an epoch of 0.
                        "ticks" => expected is not null && fault is null && value is > 0 and < 1_000_000,
                        _ => false,
                    };
                    if (!asLimit) failures.Add($"{where}: me_limits.txt says the chip {limit.Kind} {limit.Reason}; interpreter {(expectedFault ?? "gives a value")}, microcode {(fault ?? "gives a value")}");
                    continue;
                }
                if (expected is null)
                {
                    if (fault != expectedFault) failures.Add($"{where}: interpreter faults {expectedFault}, microcode gives {(fault ?? "0x" + value.ToString("x", CultureInfo.InvariantCulture))}");
                    // A lock the invocation holds is found on its list at once (a few SRAM round trips), not after
                    // InstructionSelection.LockTries tries (about 10 M cycles) as a lock another thread holds.
                    else if (fault == "deadlock" && cycles > DeadlockAtOnceCycles)
                        failures.Add($"{where}: the microcode took {cycles} cycles to find the deadlock, more than {DeadlockAtOnceCycles}");
                    continue;
                }
                var t = f.ReturnType == IrType.Void ? IrType.U64 : f.ReturnType;
                if (fault is not null) failures.Add($"{where}: interpreter gives {t.Normalize(expected.Value)}, microcode faults {fault}");
                else if (t.Normalize(value) != t.Normalize(expected.Value) && f.ReturnType != IrType.Void)
                    failures.Add($"{where}: interpreter gives 0x{t.Normalize(expected.Value):x}, microcode 0x{t.Normalize(value):x}\n{asm}");
            }
        }
        Snapshot.Match(Repo.Path("tests", "backend", "me_unsupported.txt"), unsupported.ToString());
        Assert.True(runs >= 400, $"only {runs} run lines ran on the chip");
        Assert.True(tracedLines >= 3, $"only {tracedLines} trace lines came from the chip's trace log");
        Assert.True(limitsSeen == limits.Count, $"me_limits.txt lists {limits.Count} functions, {limitsSeen} run lines met them");
        Assert.True(failures.Count == 0, $"{failures.Count} of {runs} disagree:\n" + string.Join("\n", failures.Take(10)));
    }

    /// <summary>Wrap the function in a one-context program: arguments in, call, result (status, low, high) to scratch; the trace lines it logged.</summary>
    internal static (ulong Value, string? Fault, string Asm, IReadOnlyList<string> Traces) RunOnChip(IrModule module, IrFunction f, MeProgram code, ulong[] args)
    {
        var (value, fault, asm, traces, _) = RunOnChipTimed(module, f, code, args);
        return (value, fault, asm, traces);
    }

    /// <summary><see cref="RunOnChip"/>, with the cycles the chip ran.</summary>
    private static (ulong Value, string? Fault, string Asm, IReadOnlyList<string> Traces, long Cycles) RunOnChipTimed(IrModule module, IrFunction f, MeProgram code, ulong[] args)
    {
        var map = new MemoryMap(module.Objects, code.SlotStackBytes);
        var sb = new StringBuilder(code.Constants).Append(map.Declarations(module, MachineDescription.Default()));
        // The argument words: the first eight in registers, the others where a caller writes them, at the start of
        // the function's slot frame in the slot stack of ME 0, context 0.
        var words = new List<uint>();
        for (var k = 0; k < args.Length; k++)
        {
            var t = f.Params[k].Type;
            var v = t.Normalize(args[k]);
            words.Add((uint)v);
            if (t is IrType.U64 or IrType.I64) words.Add((uint)(v >> 32));
        }
        var regs = InstructionSelection.ArgRegs;
        if (words.Count > regs.Length)
        {
            var frame = map.SlotStack(0, 0) + (uint)code.Functions.Single(m => m.Name == f.Name).SlotOffset;
            sb.Append(CultureInfo.InvariantCulture, $".data sram 0x{frame:x} = {string.Join(", ", words.Skip(regs.Length).Select(w => $"0x{w:x}"))}\n");
        }
        sb.Append(".me 0\n.ctx 0\n");
        sb.Append("    bal[b15, __thread_init]\n");
        for (var k = 0; k < Math.Min(regs.Length, words.Count); k++)
            sb.Append(CultureInfo.InvariantCulture, $"    immed[{regs[k]}, 0x{words[k]:x}]\n");
        sb.Append(CultureInfo.InvariantCulture, $"    bal[a14, {InstructionSelection.Label(f)}]\n");
        sb.Append("    immed[a0, 0]\n");
        sb.Append("done:\n");
        sb.Append("    alu[$0, --, B, a0]\n    alu[$1, --, B, a12]\n    alu[$2, --, B, b12]\n");
        sb.Append(CultureInfo.InvariantCulture, $"    immed[a1, 0x{ResultAddr:x}]\n");
        sb.Append("    scratch[write, $0, a1, 0, 3], ctx_swap[sig1]\n    halt\n");
        for (var r = 0; r < FaultReasons.Length; r++)
            sb.Append(CultureInfo.InvariantCulture, $"__fault_{FaultReasons[r]}:\n    immed[a0, {r + 1}]\n    br[done]\n");
        sb.Append(MemoryMap.RuntimeLibrary).Append(code.Code);
        if (Clock.Called(code)) sb.Append(Clock.Routine(MachineDescription.Default(), map.ClockEpoch));
        if (TraceLog.Called(code)) sb.Append(TraceLog.RoutineText);
        var asm = sb.ToString();
        var result = Assembler.Assemble(asm, f.Name + ".uasm");
        if (!result.Success) throw new InvalidOperationException(string.Join("\n", result.Diagnostics) + "\n" + asm);
        var chip = new Chip(MachineDescription.Default());
        chip.Load(result.Image!);
        var cycles = chip.Run(20_000_000);
        if (!chip.Microengines[0].Halted) return (0, "step_limit", asm, [], cycles);
        var traces = TraceLog.Read(chip, map, TraceLog.Sites(module)).Records
            .Select(r => TraceFormat.Line(chip.CyclesToNs(r.Cycles), TraceFormat.Text(r.Site.Format, r.Values, r.Site.Types))).ToList();
        var mem = chip.ScratchMemory.AsSpan((int)ResultAddr);
        var status = BinaryPrimitives.ReadUInt32BigEndian(mem);
        var lo = BinaryPrimitives.ReadUInt32BigEndian(mem[4..]);
        var hi = BinaryPrimitives.ReadUInt32BigEndian(mem[8..]);
        if (status != 0) return (0, FaultReasons[status - 1], asm, traces, cycles);
        var wide = f.ReturnType is IrType.U64 or IrType.I64;
        var value = wide ? (ulong)hi << 32 | lo : f.ReturnType.IsSigned() ? (ulong)(long)(int)lo : lo;
        return (value, null, asm, traces, cycles);
    }
}
