using Baker.Compiler.Backend.Me;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Interpreter;
using Baker.Runtime.Isa;
using Baker.Runtime.Machine;

namespace Baker.Compiler.Driver;

/// <summary>How to run an app on the emulated network processor.</summary>
public sealed record ChipRunOptions
{
    public MachineDescription Machine { get; init; } = MachineDescription.Default();
    /// <summary>Microengines the placement may use (1..the machine's count).</summary>
    public int Mes { get; init; } = 8;
    /// <summary>Trace timing by default: the control script's times and now() count in trace time.</summary>
    public Baker.Runtime.Ports.TrafficOptions Traffic { get; init; } = new() { Timing = Baker.Runtime.Ports.InputTiming.Trace };
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
/// <c>bakerc run --target ixp2400</c>: compile the app, build its microcode (ProgramBuilder), assemble it,
/// run init and the control script's start lines on the interpreter (the control core's code for now) and
/// load the memory they leave into the chip's SRAM, then play the traces through the emulated chip (at their
/// timestamps by default) with the @time lines as control-core tasks at their times, and the @end lines after
/// (ChipControl). Writes DIR/APP.uasm, the emulator's port pcaps and stats.json, control.log and trace.log.
/// </summary>
public static class ChipRun
{
    public const string Target = "ixp2400";

    public static ChipRunOutcome Execute(RunRequest request, ChipRunOptions options, string? outputDirectory)
    {
        var compile = Compilation.Compile(request.Sources, request.Compile);
        if (compile.HasErrors) return new ChipRunOutcome(compile, null, null, null, []);
        var module = compile.Module!;
        var machine = options.Machine;
        var (build, diags) = ProgramBuilder.Build(module, machine, Placement.Default(module, Math.Clamp(options.Mes, 1, machine.Microengines.Count)));
        if (build is null) return new ChipRunOutcome(compile, null, null, null, diags);
        if (outputDirectory is not null)
        {
            Directory.CreateDirectory(outputDirectory);
            File.WriteAllText(Path.Combine(outputDirectory, module.App + ".uasm"), build.Assembly);
        }
        var asm = Assembler.Assemble(build.Assembly, module.App + ".uasm", machine.Microengines.ControlStoreSize);
        // Generated code that does not assemble is a back-end bug: name it with the assembler's first complaints.
        if (!asm.Success)
            throw new InvalidOperationException($"microengine back end: the microcode of {module.App} does not assemble:\n" + string.Join("\n", asm.Diagnostics.Take(10)));
        var script = request.ControlScript is null ? null : ControlScriptParser.ParseFile(request.ControlScript);
        var control = new ChipControl(module, new IrInterpreter(module), build.Map, script);
        // The loader (control.Load) runs init and the start lines, writes the objects' images and the trace epoch
        // where the microcode expects them and schedules the @time lines, before any ME starts.
        var emu = new EmulatorOptions { Machine = machine, Traffic = options.Traffic, OutputDirectory = outputDirectory, Setup = control.Load };
        emu.Images.Add(asm.Image!);
        foreach (var t in request.Traces) emu.AddTrace(t);
        var (chip, _) = EmulatorRun.Prepare(emu);
        chip.Run(emu.MaxCycles);
        control.Finish(chip);
        var summary = EmulatorRun.Finish(chip, emu);
        if (outputDirectory is not null) InterpreterRun.WriteLogs(outputDirectory, control.Result);
        return new ChipRunOutcome(compile, build, control.Result, summary, []) { StaleReads = chip.ControlCore.StaleReads };
    }
}
