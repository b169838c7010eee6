using Baker.Compiler.Backend.Me;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;
using Baker.Runtime.Machine;

namespace Baker.Compiler.Driver;

/// <summary>How to run an app on the emulated network processor.</summary>
public sealed record ChipRunOptions
{
    public MachineDescription Machine { get; init; } = MachineDescription.Default();
    /// <summary>Microengines the placement may use (1..the machine's count).</summary>
    public int Mes { get; init; } = 8;
    /// <summary>A hand-written placement (placement.txt's format) instead of the default over <see cref="Mes"/>.</summary>
    public string? PlacementFile { get; init; }
    /// <summary>Trace timing by default: the control script's times and now() count in trace time.</summary>
    public Baker.Runtime.Ports.TrafficOptions Traffic { get; init; } = new() { Timing = Baker.Runtime.Ports.InputTiming.Trace };

    public ChipBuildOptions Build => new() { Machine = Machine, Mes = Mes, PlacementFile = PlacementFile };
}

/// <summary>
/// What a run on the chip gave: the build, the control plane's result (init and every control line run on the
/// interpreter: their log, errors and trace lines), the emulator's summary and the control core's stale reads.
/// </summary>
public sealed record ChipRunOutcome(CompileResult Compile, MeBuild? Build, RunResult? Setup, EmulatorSummary? Summary, IReadOnlyList<Diagnostic> Errors)
{
    public bool Failed => Summary is null;
    /// <summary>Every trace line of the run (trace.log): the control code's and the microcode's, ordered by time (ChipRun.TraceLines).</summary>
    public IReadOnlyList<string> TraceLines { get; init; } = [];
    /// <summary>Trace records the microcode could not keep: the log in DRAM was full (TraceLog.cs).</summary>
    public long TraceLost { get; init; }
    /// <summary>Reads of the control core that returned data older than memory (the coherence checker's; none when the control plane invalidates and cleans as it must).</summary>
    public IReadOnlyList<Baker.Runtime.ControlCore.StaleRead> StaleReads { get; init; } = [];
}

/// <summary>
/// <c>bakerc run --target ixp2400</c>: compile, place, build and assemble the app (ChipBuild; the build's files go
/// to the output folder too), run init and the control script's start lines on the interpreter (the control core's
/// code for now) and load the memory they leave into the chip's SRAM, then play the traces through the emulated chip
/// (at their timestamps by default) with the @time lines as control-core tasks at their times, and the @end lines
/// after (ChipControl). Writes the port pcaps, stats.json, control.log and trace.log (the control code's trace lines
/// and the microcode's, from its log in DRAM) too.
/// </summary>
public static class ChipRun
{
    public const string Target = "ixp2400";

    public static ChipRunOutcome Execute(RunRequest request, ChipRunOptions options, string? outputDirectory)
    {
        var built = ChipBuild.Execute(request.Sources, request.Compile, options.Build);
        var compile = built.Compile;
        if (built.Program is not { } program) return new ChipRunOutcome(compile, null, null, null, built.Errors);
        if (outputDirectory is not null) ChipBuild.Write(program, outputDirectory);
        var loaded = Load(program, request.ControlScript, options.Traffic, request.Traces, outputDirectory);
        loaded.Chip.Run(loaded.Emulator.CycleLimit(loaded.Chip));
        var summary = loaded.Finish();
        return new ChipRunOutcome(compile, program.Build, loaded.Control.Result, summary, [])
        {
            StaleReads = loaded.Chip.ControlCore.StaleReads, TraceLines = loaded.TraceLines, TraceLost = loaded.TraceLost,
        };
    }

    /// <summary>
    /// The built app on a chip, ready to run. The loader (ChipControl.Load) runs init and the control script's start
    /// lines, writes the objects' images and the trace epoch where the microcode expects them and schedules the
    /// @time lines, before any ME starts.
    /// </summary>
    public static LoadedChip Load(ChipProgram program, string? controlScript, Baker.Runtime.Ports.TrafficOptions traffic,
        IEnumerable<string> traces, string? outputDirectory, long maxCycles = 60_000_000_000)
    {
        var script = controlScript is null ? null : ControlScriptParser.ParseFile(controlScript);
        var control = new ChipControl(program.Module, new IrInterpreter(program.Module), program.Build, script, maxCycles);
        var emu = new EmulatorOptions
        {
            Machine = program.Machine, Traffic = traffic, OutputDirectory = outputDirectory, Setup = control.Load, MaxCycles = maxCycles,
        };
        emu.Images.Add(program.Image);
        foreach (var t in traces) emu.AddTrace(t);
        var (chip, frames) = EmulatorRun.Prepare(emu);
        return new LoadedChip(chip, control, emu, frames, program);
    }

    /// <summary>
    /// The run's trace lines: the control code's (init and control lines, which the interpreter formatted) and the records
    /// the microcode left in the trace log (TraceLog.Read), formatted with the same formatter at now() = the epoch + the
    /// record's cycles in ns (what now() gives there, Clock.cs). The interpreter's order is packet order; the chip has no
    /// such order (threads on many MEs trace at once, and a thread may take its record after another thread that traced
    /// later), so the lines are ordered by time, then by record order: control-core lines first (in the order they ran),
    /// then the microcode's in log order.
    /// </summary>
    public static (IReadOnlyList<string> Lines, long Lost) TraceLines(Chip chip, ChipProgram program, IReadOnlyList<string> controlLines)
    {
        var log = TraceLog.Read(chip, program.Build.Map, TraceLog.Sites(program.Module));
        var epoch = chip.Ports.TraceEpochNs;
        var lines = controlLines.Select(l => (Time: TraceFormat.TimeOf(l), Line: l))
            .Concat(log.Records.Select(r =>
            {
                var t = epoch + chip.CyclesToNs(r.Cycles);
                return (Time: t, Line: TraceFormat.Line(t, TraceFormat.Text(r.Site.Format, r.Values, r.Site.Types)));
            }))
            .OrderBy(l => l.Time)      // stable: equal times keep the order above
            .Select(l => l.Line).ToList();
        return (lines, log.Lost);
    }
}

/// <summary>An app loaded on the emulated chip (ChipRun.Load): run it (to the end, or in windows), then <see cref="Finish"/>.</summary>
public sealed record LoadedChip(Chip Chip, ChipControl Control, EmulatorOptions Emulator, int Frames, ChipProgram Program)
{
    /// <summary>After <see cref="Finish"/>: every trace line, ordered by time (ChipRun.TraceLines).</summary>
    public IReadOnlyList<string> TraceLines { get; private set; } = [];
    /// <summary>After <see cref="Finish"/>: the trace records the full log could not keep.</summary>
    public long TraceLost { get; private set; }

    /// <summary>The control lines still due (late @time, then @end), the summary, stats.json, the logs and the trace lines.</summary>
    public EmulatorSummary Finish()
    {
        Control.Finish(Chip);
        var summary = EmulatorRun.Finish(Chip, Emulator);
        (TraceLines, TraceLost) = ChipRun.TraceLines(Chip, Program, Control.Result.TraceLines);
        if (Emulator.OutputDirectory is { } dir) InterpreterRun.WriteLogs(dir, Control.Result.ControlLog, TraceLines);
        return summary;
    }
}
