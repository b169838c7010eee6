using System.Collections.Concurrent;
using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;
using Baker.Compiler.Syntax;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Samples;

/// <summary>Running a sample app on the reference interpreter, and its expected-results files (format: samples/README.md).</summary>
public static class SampleRuns
{
    public static string Dir(string sample) => Repo.Path("samples", sample);

    public static string Entry(string sample) => Path.Combine(Dir(sample), sample + ".baker");

    private static readonly ConcurrentDictionary<string, Lazy<CompileResult>> compiled = new();

    /// <summary>The sample compiled (default options), once per test run: the IR is only read by the interpreters made from it.</summary>
    public static CompileResult Compile(string sample)
    {
        var result = compiled.GetOrAdd(sample, s => new Lazy<CompileResult>(() => Compilation.Compile([Entry(s)], new CompileOptions()))).Value;
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return result;
    }

    public static IrModule Module(string sample) => Compile(sample).Module!;

    /// <summary>The u32 value of a dotted IPv4 address the test itself wrote.</summary>
    public static uint Ipv4(string text) =>
        Literals.Ipv4(text, out var value) ? (uint)value : throw new ArgumentException($"'{text}' is not an IPv4 address");

    /// <summary>An expected-results file: the run's arguments and what the model says comes out.</summary>
    public sealed class Expected
    {
        public List<string> Traces { get; } = new();
        public string? Control { get; set; }
        public SortedDictionary<int, List<string>> Out { get; } = new();
        public long? Dropped { get; set; }
        public List<string>? ControlLog { get; set; }
        public string? TsharkOff { get; set; }

        public static Expected Parse(string path)
        {
            var e = new Expected();
            var dir = Path.GetDirectoryName(Path.GetDirectoryName(path))!;
            int n = 0;
            foreach (var raw in File.ReadLines(path))
            {
                n++;
                var line = raw.TrimEnd();
                if (line.Length == 0 || line.StartsWith('#')) continue;
                var (word, rest) = Split(line);
                switch (word)
                {
                    case "run:":
                        var args = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        for (int i = 0; i < args.Length; i++)
                        {
                            if (args[i] == "--trace" && i + 1 < args.Length) e.Traces.Add(Rooted(args[++i], dir));
                            else if (args[i] == "--control" && i + 1 < args.Length) e.Control = Path.Combine(dir, args[++i]);
                            else throw new FormatException($"{path}:{n}: unknown run argument '{args[i]}'");
                        }
                        break;
                    case "out":
                        var (port, hex) = Split(rest);
                        if (!e.Out.TryGetValue(int.Parse(port), out var list)) e.Out[int.Parse(port)] = list = new();
                        list.Add(hex.ToLowerInvariant());
                        break;
                    case "dropped":
                        e.Dropped = long.Parse(rest);
                        break;
                    case "control":
                        (e.ControlLog ??= new()).Add(rest);
                        break;
                    case "tshark":
                        e.TsharkOff = rest;
                        break;
                    default:
                        throw new FormatException($"{path}:{n}: unknown line '{line}'");
                }
            }
            if (e.Traces.Count == 0) throw new FormatException($"{path}: no 'run: --trace' line");
            return e;
        }

        private static (string, string) Split(string s)
        {
            int i = s.IndexOf(' ');
            return i < 0 ? (s, "") : (s[..i], s[(i + 1)..].Trim());
        }

        // "N=FILE" or "FILE", relative to the sample folder.
        private static string Rooted(string spec, string dir)
        {
            int eq = spec.IndexOf('=');
            return eq > 0 && spec[..eq].All(char.IsDigit) ? $"{spec[..eq]}={Path.Combine(dir, spec[(eq + 1)..])}" : Path.Combine(dir, spec);
        }
    }

    /// <summary>Runs the app; the port pcaps land in the returned folder.</summary>
    public static (RunResult Run, string OutDir) Run(string sample, IReadOnlyList<string> traces, string? control)
    {
        var outDir = Path.Combine(Path.GetTempPath(), "baker-samples", $"{sample}-{Guid.NewGuid():N}");
        var outcome = InterpreterRun.Execute(Compile(sample), new RunRequest([Entry(sample)], traces, control, new CompileOptions()), outDir);
        Assert.True(outcome.Run is not null, string.Join("\n", outcome.InputErrors));
        return (outcome.Run!, outDir);
    }

    /// <summary>Only packet_drop drops (no fault), nothing left queued, every packet accounted for, no control-script error.</summary>
    public static void AssertClean(RunResult run)
    {
        Assert.True(run.Conserved, InterpreterRun.Summary(run));
        Assert.Equal(0, run.QueuedAtEnd);
        var faults = run.Dropped.Keys.Where(r => r != "program").ToList();
        Assert.True(faults.Count == 0, "faults: " + string.Join("; ", faults.Select(r => $"{r} x{run.Dropped[r]}: {run.FirstFault.GetValueOrDefault(r)}")));
        Assert.True(run.ControlErrors.Count == 0, string.Join("\n", run.ControlErrors));
    }

    public const int SramBytes = 8 << 20;

    /// <summary>The global and state objects the data path touches: named by any process function or a function it calls.</summary>
    public static HashSet<StorageObject> DataPathObjects(IrModule module)
    {
        var seen = new HashSet<IrFunction>();
        var work = new Stack<IrFunction>(module.Functions.Where(f => f.Kind == FunctionKind.Process));
        var objects = new HashSet<StorageObject>();
        while (work.Count > 0)
        {
            var f = work.Pop();
            if (!seen.Add(f)) continue;
            foreach (var op in f.Blocks.SelectMany(b => b.Instructions).SelectMany(i => i.Operands))
                if (op is ObjectRef o && o.Target.Kind != StorageKind.Slot) objects.Add(o.Target);
                else if (op is FunctionRef c) work.Push(c.Target);
        }
        return objects;
    }

    /// <summary>Compiles the sample and checks that everything its data path touches fits the 8 MB SRAM; returns those objects.</summary>
    public static HashSet<StorageObject> AssertDataPathFitsInSram(string sample, Action<string> log)
    {
        var objects = DataPathObjects(Module(sample));
        long bytes = objects.Sum(o => (long)o.Size);
        foreach (var o in objects.OrderByDescending(o => o.Size).Take(8)) log($"{o.Name}: {o.Size:N0} bytes");
        log($"data path total: {bytes:N0} bytes of {SramBytes:N0}");
        Assert.True(bytes <= SramBytes, $"the data path of {sample} touches {bytes:N0} bytes, more than the 8 MB SRAM");
        return objects;
    }
}
