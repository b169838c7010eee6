using Baker.Compiler.Backend.Me;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Interpreter;
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
    /// <summary>Reads of the control core that returned data older than memory (the coherence checker's; none when the control plane invalidates and cleans as it must).</summary>
    public IReadOnlyList<Baker.Runtime.ControlCore.StaleRead> StaleReads { get; init; } = [];
}

/// <summary>
/// <c>bakerc run --target ixp2400</c>: compile, place, build and assemble the app (ChipBuild; the build's files go
/// to the output folder too), run init and the control script's start lines on the interpreter (the control core's
/// code for now) and load the memory they leave into the chip's SRAM, then play the traces through the emulated chip
/// (at their timestamps by default) with the @time lines as control-core tasks at their times, and the @end lines
/// after (ChipControl). Writes the port pcaps, stats.json, control.log and trace.log too.
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
        return new ChipRunOutcome(compile, program.Build, loaded.Control.Result, summary, []) { StaleReads = loaded.Chip.ControlCore.StaleReads };
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
        return new LoadedChip(chip, control, emu, frames);
    }
}

/// <summary>An app loaded on the emulated chip (ChipRun.Load): run it (to the end, or in windows), then <see cref="Finish"/>.</summary>
public sealed record LoadedChip(Chip Chip, ChipControl Control, EmulatorOptions Emulator, int Frames)
{
    /// <summary>The control lines still due (late @time, then @end), the summary, stats.json and the logs.</summary>
    public EmulatorSummary Finish()
    {
        Control.Finish(Chip);
        var summary = EmulatorRun.Finish(Chip, Emulator);
        if (Emulator.OutputDirectory is { } dir) InterpreterRun.WriteLogs(dir, Control.Result);
        return summary;
    }
}
