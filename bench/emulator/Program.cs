// Runs the hand-written IPv4 forwarder (samples/microcode/forwarder) under saturating input on one host
// thread and reports emulated ME instructions per host second, plus the emulated forwarding rate.
// Usage: dotnet run -c Release --project bench/emulator [-- REPEAT [SYNC_QUANTUM_CYCLES]]   (from the repository root)
using System.Diagnostics;
using System.Globalization;
using Baker.Runtime.Isa;
using Baker.Runtime.Machine;
using Baker.Runtime.Ports;

var repeat = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
var quantum = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
var root = Directory.GetCurrentDirectory();
var dir = Path.Combine(root, "samples", "microcode", "forwarder");
if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"run from the repository root: {dir} not found");
var src = Path.Combine(dir, "ipv4_forwarder.uasm");
var asm = Assembler.Assemble(File.ReadAllText(src), src);
if (!asm.Success) throw new InvalidOperationException(string.Join("\n", asm.Diagnostics));

EmulatorOptions Options(int rep)
{
    var o = new EmulatorOptions { Traffic = { Timing = InputTiming.Saturate, Repeat = rep }, SyncQuantumCycles = quantum };
    o.Images.Add(asm.Image!);
    for (var p = 0; p < 3; p++) o.Traces[p] = Path.Combine(dir, $"in_port{p}.pcap");
    return o;
}

// Warm-up run so the JIT has compiled (and tiered up) the interpreter before timing.
{
    var (warm, _) = EmulatorRun.Prepare(Options(10));
    warm.Run(long.MaxValue);
}

var opts = Options(repeat);
var (chip, _) = EmulatorRun.Prepare(opts);
var sw = Stopwatch.StartNew();
chip.Run(opts.MaxCycles);
sw.Stop();
var summary = EmulatorRun.Finish(chip, opts);
var ips = summary.Instructions / sw.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"forwarder, saturating input, sync quantum {quantum}, {summary.RxPackets} packets: {summary.Instructions} ME instructions in {sw.Elapsed.TotalSeconds:F3} s host time"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"emulated ME instructions per host second: {ips / 1e6:F1} million"));
Console.WriteLine(summary.ToString());
Console.WriteLine($"agent runs {chip.AgentRuns}");
