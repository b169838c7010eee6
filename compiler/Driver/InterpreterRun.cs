using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Interpreter;
using Baker.Runtime.Pcap;

namespace Baker.Compiler.Driver;

public sealed record RunRequest(IReadOnlyList<string> Sources, IReadOnlyList<string> Traces, string? ControlScript, CompileOptions Compile, bool Profile = false);

/// <summary>The outcome of compiling and running an app: the compilation, the run (null if it never started) and the input problems.</summary>
public sealed record RunOutcome(CompileResult Compile, RunResult? Run, IReadOnlyList<Diagnostic> InputErrors)
{
    public bool Failed => Run is null;
}

/// <summary>Compile an app, load its trace and control script, run it on the reference interpreter, write the run's files.</summary>
public static class InterpreterRun
{
    public const string Target = "interp";

    /// <summary>Compiles and runs. With <paramref name="outputDirectory"/>, transmitted frames stream into its port&lt;N&gt;.pcap
    /// files as they leave (a long trace holds no output in memory) instead of being kept in the result.</summary>
    public static RunOutcome Execute(RunRequest request, string? outputDirectory = null) =>
        Execute(Compilation.Compile(request.Sources, request.Compile), request, outputDirectory);

    /// <summary>The same with the app already compiled (from <paramref name="request"/>'s sources): many runs of one app compile it once.</summary>
    public static RunOutcome Execute(CompileResult compile, RunRequest request, string? outputDirectory = null)
    {
        if (compile.HasErrors) return new RunOutcome(compile, null, []);
        IReadOnlyList<InputFrame> frames;
        try { frames = TraceInput.Load(request.Traces); }
        catch (TraceInputException e)
        {
            return new RunOutcome(compile, null, [DiagnosticCatalog.TraceFileProblem.At(new SourceSpan("bakerc", 0, 0, 0, 0), e.Message)]);
        }
        ControlScript? script = request.ControlScript is null ? null : ControlScriptParser.ParseFile(request.ControlScript);
        using var ports = outputDirectory is null ? null : new PortWriters(outputDirectory);
        var interpreter = new IrInterpreter(compile.Module!, new InterpreterOptions { Profile = request.Profile, OnTransmit = ports is null ? null : ports.Write });
        return new RunOutcome(compile, interpreter.Run(frames, script), []);
    }

    /// <summary>One nanosecond pcap per output port, opened when the port first transmits; stale port files are removed first.</summary>
    private sealed class PortWriters : IDisposable
    {
        private readonly string dir;
        private readonly Dictionary<int, PcapWriter> writers = new();

        public PortWriters(string dir)
        {
            this.dir = dir;
            Directory.CreateDirectory(dir);
            foreach (var stale in Directory.GetFiles(dir, "port*.pcap")) File.Delete(stale);
        }

        public void Write(OutputFrame f)
        {
            if (!writers.TryGetValue(f.Port, out var w))
                writers[f.Port] = w = new PcapWriter(Path.Combine(dir, $"port{f.Port}.pcap"));
            w.Write(f.TimestampNs, f.Data, f.Data.Length);
        }

        public void Dispose()
        {
            foreach (var w in writers.Values) w.Dispose();
        }
    }

    /// <summary>Writes DIR/stats.json, DIR/control.log and, when the app traced, DIR/trace.log (the port pcaps were streamed by <see cref="Execute"/>).</summary>
    public static void WriteOutputs(string dir, RunResult run)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "stats.json"), StatsJson(run));
        WriteLogs(dir, run);
    }

    /// <summary>Writes DIR/control.log and, when the app traced, DIR/trace.log (a stale one is removed): the chip's runs write them too.</summary>
    public static void WriteLogs(string dir, RunResult run) => WriteLogs(dir, run.ControlLog, run.TraceLines);

    /// <summary>The same from the lines themselves (a chip run's trace lines come from the interpreter and the microcode).</summary>
    public static void WriteLogs(string dir, IReadOnlyList<string> controlLog, IReadOnlyList<string> traceLines)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, "control.log"), controlLog);
        var trace = Path.Combine(dir, "trace.log");
        if (traceLines.Count > 0) File.WriteAllLines(trace, traceLines);
        else if (File.Exists(trace)) File.Delete(trace);
    }

    public static string StatsJson(RunResult run)
    {
        var dropped = new JsonObject();
        foreach (var (reason, n) in run.Dropped) dropped[reason] = n;
        var perPort = new JsonObject();
        foreach (var (port, n) in run.PerPortOut) perPort[port.ToString(CultureInfo.InvariantCulture)] = n;
        var faults = new JsonObject();
        foreach (var (reason, text) in run.FirstFault) faults[reason] = text;
        var stats = new JsonObject
        {
            ["target"] = Target,
            ["packets_in"] = run.PacketsIn,
            ["packets_created"] = run.Created,
            ["packets_out"] = run.Transmitted,
            ["dropped"] = dropped,
            ["queued_at_end"] = run.QueuedAtEnd,
            ["per_port_out"] = perPort,
            ["truncated_frames_in"] = run.TruncatedFramesIn,
            ["conservation"] = run.Conserved,
            ["first_fault"] = faults,
            ["control_errors"] = run.ControlErrors.Count,
            ["trace_lines"] = run.TraceLines.Count,
        };
        return stats.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The few lines a user reads after a run.</summary>
    public static string Summary(RunResult run)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"packets in {run.PacketsIn}");
        if (run.Created > 0) sb.Append(CultureInfo.InvariantCulture, $" (+{run.Created} made by the app)");
        sb.Append(CultureInfo.InvariantCulture, $", out {run.Transmitted}, dropped {run.DroppedTotal}, queued {run.QueuedAtEnd}\n");
        if (run.PerPortOut.Count > 0)
            sb.Append("out by port: ").AppendJoin(", ", run.PerPortOut.Select(kv => $"{kv.Key}: {kv.Value}")).Append('\n');
        if (run.Dropped.Count > 0)
            sb.Append("dropped by reason: ").AppendJoin(", ", run.Dropped.Select(kv => $"{kv.Key}: {kv.Value}")).Append('\n');
        if (run.TruncatedFramesIn > 0) sb.Append(CultureInfo.InvariantCulture, $"{run.TruncatedFramesIn} frame(s) were captured shorter than sent\n");
        sb.Append(run.Conserved ? "conservation: ok (in + made = out + dropped + queued)\n" : "conservation: VIOLATED (in + made != out + dropped + queued)\n");
        return sb.ToString();
    }
}
