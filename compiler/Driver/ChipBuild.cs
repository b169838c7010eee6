using Baker.Compiler.Backend.Me;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.IR;
using Baker.Runtime.Isa;
using Baker.Runtime.Machine;

namespace Baker.Compiler.Driver;

/// <summary>How to build an app for the emulated network processor.</summary>
public sealed record ChipBuildOptions
{
    public MachineDescription Machine { get; init; } = MachineDescription.Default();
    /// <summary>Microengines the default placement spreads the instances over (clamped to 1..the MEs available).</summary>
    public int Mes { get; init; } = 8;
    /// <summary>A hand-written placement (placement.txt's format) instead of the default.</summary>
    public string? PlacementFile { get; init; }
}

/// <summary>A built app: where its instances run, its microcode text and the assembled image.</summary>
public sealed record ChipProgram(IrModule Module, MachineDescription Machine, Placement Placement, MeBuild Build, MicrocodeImage Image)
{
    public string Report() => BuildReport.Write(Module, Machine, Placement, Build, Image);
    public string Summary() => BuildReport.Summary(Module, Machine, Placement, Build, Image);
}

/// <summary>What building gave: the compilation, the program (null when anything failed) and the back end's errors.</summary>
public sealed record ChipBuildOutcome(CompileResult Compile, ChipProgram? Program, IReadOnlyList<Diagnostic> Errors)
{
    public bool Failed => Program is null;
}

/// <summary>
/// <c>bakerc build --target ixp2400</c>, and the first half of <c>bakerc run --target ixp2400</c>: compile the app,
/// place its instances (the default or a placement file), build its microcode (ProgramBuilder), assemble it and
/// check that every ME's code fits the machine's control store (BK5204, naming the aggregate and its size).
/// </summary>
public static class ChipBuild
{
    public static ChipBuildOutcome Execute(IReadOnlyList<string> sources, CompileOptions compile, ChipBuildOptions options)
    {
        var compiled = Compilation.Compile(sources, compile);
        if (compiled.HasErrors) return new ChipBuildOutcome(compiled, null, []);
        var (program, errors) = Build(compiled.Module!, options);
        return new ChipBuildOutcome(compiled, program, errors);
    }

    /// <summary>Builds an app already compiled (or read from IR text).</summary>
    public static (ChipProgram? Program, IReadOnlyList<Diagnostic> Errors) Build(IrModule module, ChipBuildOptions options)
    {
        var machine = options.Machine;
        var available = Math.Min(machine.Microengines.Count, MemoryMap.MaxMes);
        Placement placement;
        if (options.PlacementFile is { } file)
        {
            var (read, problems) = Placement.Read(file, module, available);
            if (read is null) return (null, problems);
            placement = read;
        }
        else placement = Placement.Default(module, Math.Clamp(options.Mes, 1, available));

        var (build, diags) = ProgramBuilder.Build(module, machine, placement);
        if (build is null) return (null, diags);
        var app = MeBackend.Span(module.Location);
        // Assembled without a size limit, so that code too large for the control store is reported with its size and aggregate.
        var asm = Assembler.Assemble(build.Assembly, module.App + ".uasm", int.MaxValue);
        if (!asm.Success)
            // Generated code that does not assemble is a back-end bug: name it with the assembler's first complaints.
            return (null, [DiagnosticCatalog.InternalError.At(app, "me-assemble", module.App, string.Join("; ", asm.Diagnostics.Take(5)))]);
        var store = machine.Microengines.ControlStoreSize;
        var overflows = asm.Image!.Mes.Where(me => me.Code.Length > store)
            .Select(me => DiagnosticCatalog.MeControlStoreOverflow.At(app, me.Me, string.Join(", ", placement.On(module, me.Me)), me.Code.Length, store))
            .ToList();
        if (overflows.Count > 0) return (null, overflows);
        return (new ChipProgram(module, machine, placement, build, asm.Image), []);
    }

    /// <summary>Writes the build into <paramref name="directory"/>: APP.uasm, APP.img (ImageFile), placement.txt and build-report.txt.</summary>
    public static IReadOnlyList<string> Write(ChipProgram program, string directory)
    {
        Directory.CreateDirectory(directory);
        var app = program.Module.App;
        var files = new[] { app + ".uasm", app + ".img", "placement.txt", "build-report.txt" }.Select(f => Path.Combine(directory, f)).ToList();
        File.WriteAllText(files[0], program.Build.Assembly);
        ImageFile.Write(program.Image, files[1]);
        File.WriteAllText(files[2], program.Placement.Write(program.Module));
        File.WriteAllText(files[3], program.Report());
        return files;
    }
}
