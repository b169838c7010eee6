using System.CommandLine;
using System.Globalization;
using Baker.Compiler.Driver;
using Baker.Compiler.IR;
using Baker.Compiler.Interpreter;
using Baker.Runtime.Machine;

namespace Baker.Tools.Bakerc.Commands;

/// <summary>
/// <c>bakerc dump-ir</c>, <c>bakerc run</c> and <c>bakerc profile</c>: compile through the pipeline, and
/// run on the reference interpreter. The options that steer the pipeline are shared by all three.
/// </summary>
public static class RunCommands
{
    private sealed class PipelineOptions
    {
        public readonly Argument<string[]> Files = new("files") { Description = "Baker source files (one program; imports are followed)", Arity = ArgumentArity.ZeroOrMore };
        public readonly Option<string[]> DumpAfter = new("--dump-after") { Description = "keep the IR after pass NAME ('all': after every pass); repeatable", AllowMultipleArgumentsPerToken = false };
        public readonly Option<string[]> Disable = new("--disable") { Description = "skip an optional pass; repeatable" };
        public readonly Option<bool> ListPasses = new("--list-passes") { Description = "print the pipeline and exit" };
        public readonly Option<bool> TimePasses = new("--time-passes") { Description = "print the time each pass took" };
        public readonly Option<bool> NoTrace = new("--no-trace") { Description = "compile trace(...) calls out" };

        public void AddTo(Command c)
        {
            c.Arguments.Add(Files);
            c.Options.Add(DumpAfter);
            c.Options.Add(Disable);
            c.Options.Add(ListPasses);
            c.Options.Add(TimePasses);
            c.Options.Add(NoTrace);
            // An unknown option would otherwise be taken for a file name.
            Files.Validators.Add(r =>
            {
                foreach (var t in r.Tokens.Where(t => t.Value.StartsWith('-')))
                    r.AddError($"unknown option '{t.Value}'");
            });
        }

        public CompileOptions Read(ParseResult p, string? extraDump = null)
        {
            var dumps = new HashSet<string>(p.GetValue(DumpAfter) ?? []);
            if (extraDump is not null) dumps.Add(extraDump);
            return new CompileOptions { DumpAfter = dumps, Disabled = new HashSet<string>(p.GetValue(Disable) ?? []), NoTrace = p.GetValue(NoTrace) };
        }

        /// <summary>Handles --list-passes, a missing file argument and bad pass names; returns an exit code when the command should stop.</summary>
        public int? Preflight(ParseResult p, CompileOptions o, TextWriter stdout, TextWriter stderr)
        {
            if (p.GetValue(ListPasses))
            {
                var width = Pipeline.Passes.Max(x => x.Name.Length);
                foreach (var pass in Pipeline.Passes)
                    stdout.WriteLine($"{pass.Name.PadRight(width)} {(pass.Required ? "required" : "optional"),-9} {pass.Description}");
                return Program.Success;
            }
            if ((p.GetValue(Files) ?? []).Length == 0)
            {
                stderr.WriteLine("bakerc: give the Baker source file(s) of the app");
                return Program.UsageError;
            }
            var problems = Compilation.CheckOptions(o);
            foreach (var problem in problems) stderr.WriteLine($"bakerc: {problem}");
            return problems.Count > 0 ? Program.UsageError : null;
        }

        public void Report(CompileResult r, ParseResult p, TextWriter stderr)
        {
            foreach (var d in r.Diagnostics) stderr.WriteLine(d);
            int errors = r.Diagnostics.Count(d => d.IsError), warnings = r.Diagnostics.Count - errors;
            if (errors > 0 || warnings > 0) stderr.WriteLine($"{errors} error(s), {warnings} warning(s)");
            if (p.GetValue(TimePasses))
                foreach (var t in r.Timings) stderr.WriteLine($"pass {t.Pass.PadRight(Pipeline.Passes.Max(x => x.Name.Length))} {t.Elapsed.TotalMilliseconds,9:F2} ms");
        }
    }

    /// <summary>What a build for the chip depends on: the machine, its port count, and where the instances run.</summary>
    private sealed class ChipArguments
    {
        public readonly Option<string?> Machine = new("--machine") { Description = "ixp2400: machine description JSON (default: the IXP2400-class machine)" };
        public readonly Option<int?> Ports = new("--ports") { Description = "ixp2400: Ethernet ports, overriding the machine's count" };
        public readonly Option<int?> Mes = new("--mes") { Description = "ixp2400: microengines the default placement uses, instance k on ME k mod N (default: 8)" };
        public readonly Option<string?> Placement = new("--placement") { Description = "ixp2400: placement file, one 'INSTANCE -> me N' line per PPF instance (the format of placement.txt)" };

        public IEnumerable<Option> All => [Machine, Ports, Mes, Placement];

        public bool AnyGiven(ParseResult p) => All.Any(o => p.GetResult(o) is { Implicit: false });

        /// <summary>The build options, or the exit code and message of what is wrong with them.</summary>
        public (ChipBuildOptions? Options, int Exit, string? Problem) Read(ParseResult p)
        {
            var machine = MachineDescription.Default();
            try
            {
                if (p.GetValue(Machine) is { } file) machine = MachineDescription.Load(file);
                if (p.GetValue(Ports) is { } ports) machine = machine.WithPorts(ports);
            }
            catch (Exception e) when (e is MachineDescriptionException or IOException or UnauthorizedAccessException)
            {
                return (null, Program.InputErrors, $"error: {e.Message}");
            }
            var mes = p.GetValue(Mes);
            if (mes is { } n && (n < 1 || n > machine.Microengines.Count))
                return (null, Program.UsageError, $"--mes {n}: machine '{machine.Name}' has 1..{machine.Microengines.Count} microengines");
            if (mes is not null && p.GetValue(Placement) is not null)
                return (null, Program.UsageError, "--mes and --placement both say where instances run; give one");
            var options = new ChipBuildOptions { Machine = machine, PlacementFile = p.GetValue(Placement) };
            return (mes is { } count ? options with { Mes = count } : options, Program.Success, null);
        }
    }

    public static Command DumpIr(TextWriter stdout, TextWriter stderr)
    {
        var pipeline = new PipelineOptions();
        var after = new Option<string?>("--after") { Description = "print the IR after this pass (default: the last; 'all': after each)" };
        var command = new Command("dump-ir", "Compile an app and print its IR");
        pipeline.AddTo(command);
        command.Options.Add(after);
        command.SetAction(p =>
        {
            string? at = p.GetValue(after);
            var o = pipeline.Read(p, at);
            if (pipeline.Preflight(p, o, stdout, stderr) is { } stop) return stop;
            if (at is not null && at != "all") o = o with { StopAfter = at };
            var r = Compilation.Compile(p.GetValue(pipeline.Files)!, o);
            pipeline.Report(r, p, stderr);
            if (r.HasErrors) return Program.InputErrors;
            // Without --after or --dump-after: the IR after the last pass that ran.
            if (r.Dumps.Count == 0) stdout.Write(IrPrinter.Print(r.Module!));
            bool headers = at == "all" || (p.GetValue(pipeline.DumpAfter) ?? []).Length > 0;
            foreach (var d in r.Dumps)
            {
                if (headers) stdout.WriteLine($"; ==== after {d.Pass} ====");
                stdout.Write(d.Text);
            }
            return Program.Success;
        });
        return command;
    }

    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var pipeline = new PipelineOptions();
        var chip = new ChipArguments();
        var target = new Option<string>("--target") { Description = "what to build for: ixp2400 (microcode for the emulated network processor)", DefaultValueFactory = _ => ChipRun.Target };
        var output = new Option<string?>("--out", "-o") { Description = "output folder: APP.uasm, APP.img, placement.txt, build-report.txt" };
        var command = new Command("build", "Compile an app to microcode for the emulated network processor; writes its assembly, image, placement and build report");
        pipeline.AddTo(command);
        command.Options.Add(target);
        foreach (var o in chip.All) command.Options.Add(o);
        command.Options.Add(output);
        command.SetAction(p =>
        {
            var o = pipeline.Read(p);
            if (pipeline.Preflight(p, o, stdout, stderr) is { } stop) return stop;
            if (p.GetValue(target) != ChipRun.Target)
            {
                stderr.WriteLine($"bakerc: build targets: {ChipRun.Target} (the interpreter runs the IR itself: bakerc run)");
                return Program.UsageError;
            }
            if (p.GetValue(output) is not { } dir)
            {
                stderr.WriteLine("bakerc: build needs --out DIR");
                return Program.UsageError;
            }
            var (options, exit, problem) = chip.Read(p);
            if (options is null) { stderr.WriteLine($"bakerc: {problem}"); return exit; }
            var outcome = ChipBuild.Execute(p.GetValue(pipeline.Files)!, o, options);
            pipeline.Report(outcome.Compile, p, stderr);
            foreach (var e in outcome.Errors) stderr.WriteLine(e);
            if (outcome.Program is not { } program) return Program.InputErrors;
            WriteDumps(outcome.Compile, dir);
            var files = ChipBuild.Write(program, dir);
            stdout.Write(program.Summary());
            stdout.WriteLine($"wrote {string.Join(", ", files)}");
            return Program.Success;
        });
        return command;
    }

    public static Command Run(TextWriter stdout, TextWriter stderr) => RunLike("run",
        "Compile an app and run it on a packet trace; writes DIR/port<N>.pcap, DIR/stats.json, DIR/control.log", profile: false, stdout, stderr);

    public static Command Profile(TextWriter stdout, TextWriter stderr) => RunLike("profile",
        "Run an app on the reference interpreter over a trace and save its profile (JSON) for later passes", profile: true, stdout, stderr);

    private static Command RunLike(string name, string description, bool profile, TextWriter stdout, TextWriter stderr)
    {
        var pipeline = new PipelineOptions();
        var traces = new Option<string[]>("--trace") { Description = "input trace: FILE (port 0; pcapng interfaces are ports) or N=FILE (port N); repeatable, merged by time", AllowMultipleArgumentsPerToken = false };
        var control = new Option<string?>("--control") { Description = "control script (.ctl): calls of control functions, at start, @time or @end" };
        var target = new Option<string>("--target") { Description = "where to run: interp (the reference interpreter) or ixp2400 (compiled to microcode, on the emulated network processor)", DefaultValueFactory = _ => InterpreterRun.Target };
        var chip = new ChipArguments();
        var traffic = new TrafficArguments();
        var output = new Option<string?>("--out", "-o") { Description = profile ? "profile file to write (JSON)" : "output folder" };
        var command = new Command(name, description);
        pipeline.AddTo(command);
        command.Options.Add(traces);
        command.Options.Add(control);
        if (!profile)
        {
            command.Options.Add(target);
            foreach (var option in chip.All.Concat(traffic.All)) command.Options.Add(option);
        }
        command.Options.Add(output);
        command.SetAction(p =>
        {
            var o = pipeline.Read(p);
            if (pipeline.Preflight(p, o, stdout, stderr) is { } stop) return stop;
            var where = profile ? InterpreterRun.Target : p.GetValue(target);
            if (where != InterpreterRun.Target && where != ChipRun.Target)
            {
                stderr.WriteLine($"bakerc: unknown target '{where}' (targets: {InterpreterRun.Target}, {ChipRun.Target})");
                return Program.UsageError;
            }
            string? outPath = p.GetValue(output);
            var traceSpecs = p.GetValue(traces) ?? [];
            if (outPath is null || traceSpecs.Length == 0)
            {
                stderr.WriteLine($"bakerc: {name} needs --trace and {(profile ? "-o FILE" : "--out DIR")}");
                return Program.UsageError;
            }
            var request = new RunRequest(p.GetValue(pipeline.Files)!, traceSpecs, p.GetValue(control), o, profile);
            if (where == ChipRun.Target) return RunOnChip(request, chip, traffic, outPath, pipeline, p, stdout, stderr);
            if (!profile && (chip.AnyGiven(p) || traffic.AnyGiven(p)))
            {
                stderr.WriteLine($"bakerc: --machine, --ports, --mes, --placement, --timing, --load and --saturate apply to --target {ChipRun.Target}");
                return Program.UsageError;
            }
            var outcome = InterpreterRun.Execute(request, profile ? null : outPath);
            pipeline.Report(outcome.Compile, p, stderr);
            foreach (var e in outcome.InputErrors) stderr.WriteLine(e);
            if (outcome.Run is not { } run) return Program.InputErrors;
            foreach (var e in run.ControlErrors) stderr.WriteLine(e);
            string dumpDir = profile ? Path.GetDirectoryName(Path.GetFullPath(outPath))! : outPath;
            WriteDumps(outcome.Compile, dumpDir);
            if (profile) File.WriteAllText(outPath, run.Profile!.ToJson());
            else InterpreterRun.WriteOutputs(outPath, run);
            stdout.Write(InterpreterRun.Summary(run));
            if (profile) stdout.WriteLine($"profile written to {outPath}");
            return run.Conserved ? Program.Success : Program.InputErrors;
        });
        return command;
    }

    private static int RunOnChip(RunRequest request, ChipArguments chip, TrafficArguments traffic, string outPath, PipelineOptions pipeline, ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        var (build, exit, problem) = chip.Read(p);
        if (build is null) { stderr.WriteLine($"bakerc: {problem}"); return exit; }
        // The run's own default timing stays unless an option sets it.
        var options = new ChipRunOptions { Machine = build.Machine, Mes = build.Mes, PlacementFile = build.PlacementFile };
        if (traffic.Apply(p, options.Traffic) is { } contradiction)
        {
            stderr.WriteLine($"bakerc: {contradiction}");
            return Program.UsageError;
        }
        // A trace the chip cannot take (a port it does not have, a corrupt pcap) is bad input, not a crash.
        ChipRunOutcome? ran = null;
        var failed = MicrocodeCommands.Guard(stderr, () => { ran = ChipRun.Execute(request, options, outPath); return Program.Success; });
        if (ran is not { } outcome) return failed;
        pipeline.Report(outcome.Compile, p, stderr);
        foreach (var e in outcome.Errors) stderr.WriteLine(e);
        if (outcome.Summary is not { } summary) return Program.InputErrors;
        foreach (var e in outcome.Setup!.ControlErrors) stderr.WriteLine(e);
        WriteDumps(outcome.Compile, outPath);
        stdout.WriteLine(summary);
        // Packets still in the chip at the end: the run stopped (quiet, or at its cycle limit) without them leaving.
        if (summary.InFlight > 0) stderr.WriteLine($"bakerc: the run ended with {summary.InFlight} packets still in the chip (a deadlock, or a packet that never leaves)");
        foreach (var s in outcome.StaleReads) stderr.WriteLine($"bakerc: {s}");
        // A debugging aid that filled up is worth a word, not a failed run: the lines kept are the first ones.
        if (outcome.TraceLost > 0)
            stderr.WriteLine($"bakerc: the trace log in DRAM was full: {outcome.TraceLost} trace records were lost after the first ones (trace.log keeps those)");
        return summary.Unaccounted == 0 && summary.InFlight == 0 && outcome.StaleReads.Count == 0 ? Program.Success : Program.InputErrors;
    }

    /// <summary>IR kept with --dump-after goes to DIR/ir/NN-pass.ir.</summary>
    private static void WriteDumps(CompileResult r, string dir)
    {
        if (r.Dumps.Count == 0) return;
        var irDir = Path.Combine(dir, "ir");
        Directory.CreateDirectory(irDir);
        foreach (var d in r.Dumps)
            File.WriteAllText(Path.Combine(irDir, $"{d.Index.ToString("D2", CultureInfo.InvariantCulture)}-{d.Pass}.ir"), d.Text);
    }
}
