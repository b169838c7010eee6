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
    public Baker.Runtime.Ports.TrafficOptions Traffic { get; init; } = new();
}

/// <summary>What a run on the chip gave: the build, the interpreter's setup (init, control start lines) and the emulator's summary.</summary>
public sealed record ChipRunOutcome(CompileResult Compile, MeBuild? Build, RunResult? Setup, EmulatorSummary? Summary, IReadOnlyList<Diagnostic> Errors)
{
    public bool Failed => Summary is null;
}

/// <summary>
/// <c>bakerc run --target ixp2400</c>: compile the app, build its microcode (ProgramBuilder), assemble it,
/// run init and the control script's start lines on the interpreter (the control core's code for now) and
/// load the memory they leave into the chip's SRAM, then play the traces through the emulated chip.
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
        var interpreter = new IrInterpreter(module);
        var setup = interpreter.RunSetup(script);
        var emu = new EmulatorOptions { Machine = machine, Traffic = options.Traffic, OutputDirectory = outputDirectory };
        emu.Images.Add(asm.Image!);
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
