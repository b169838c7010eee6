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
    public Baker.Runtime.Ports.TrafficOptions Traffic { get; init; } = new();

    public ChipBuildOptions Build => new() { Machine = Machine, Mes = Mes, PlacementFile = PlacementFile };
}

/// <summary>What a run on the chip gave: the build, the interpreter's setup (init, control start lines) and the emulator's summary.</summary>
public sealed record ChipRunOutcome(CompileResult Compile, MeBuild? Build, RunResult? Setup, EmulatorSummary? Summary, IReadOnlyList<Diagnostic> Errors)
{
    public bool Failed => Summary is null;
}

/// <summary>
/// <c>bakerc run --target ixp2400</c>: compile, place, build and assemble the app (ChipBuild; the build's files go
/// to the output folder too), run init and the control script's start lines on the interpreter (the control core's code for now) and
/// load the memory they leave into the chip's SRAM, then play the traces through the emulated chip.
/// </summary>
public static class ChipRun
{
    public const string Target = "ixp2400";

    public static ChipRunOutcome Execute(RunRequest request, ChipRunOptions options, string? outputDirectory)
    {
        var built = ChipBuild.Execute(request.Sources, request.Compile, options.Build);
        var compile = built.Compile;
        if (built.Program is not { } program) return new ChipRunOutcome(compile, null, null, null, built.Errors);
        var module = program.Module;
        var machine = options.Machine;
        var build = program.Build;
        if (outputDirectory is not null) ChipBuild.Write(program, outputDirectory);
        var script = request.ControlScript is null ? null : ControlScriptParser.ParseFile(request.ControlScript);
        var interpreter = new IrInterpreter(module);
        var setup = interpreter.RunSetup(script);
        var emu = new EmulatorOptions { Machine = machine, Traffic = options.Traffic, OutputDirectory = outputDirectory };
        emu.Images.Add(program.Image);
        foreach (var t in request.Traces) emu.AddTrace(t);
        // The loader writes the objects' byte images where the microcode expects them, before any ME starts.
        emu.Setup = chip =>
        {
            foreach (var (o, at) in build.Map.Objects)
                interpreter.ReadObject(o.Name).CopyTo(chip.SramMemory.AsSpan((int)at));
        };
        var summary = EmulatorRun.Run(emu);
        return new ChipRunOutcome(compile, build, setup, summary, []);
    }
}
