using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Baker.Compiler.Driver;
using Baker.Runtime.Machine;
using Baker.Runtime.Memory;
using Baker.Runtime.Ports;

namespace Baker.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Baker.Bench -- me-scaling [options]</c>: every sample app compiled to
/// microcode (the BASE level) and run on the emulated IXP2400 with 1, 2, 4 and 8 MEs available, each on its
/// 64-byte saturation trace (samples/NAME/traces/sat64.pcap on port 0, the default control script), as
/// <c>bakerc run APP --target ixp2400 --mes N --saturate --ports 4 ...</c> runs it. Prints a markdown table
/// (forwarding rate, per-packet ME instructions and memory references, utilisation, drops) and writes it to
/// bench/out/me_scaling.md; each run's files (build, port pcaps, stats.json) go to bench/out/me_scaling/NAME-meN.
/// A sample that does not build is reported with its first diagnostic. A run is checked for packet
/// conservation, and it is watched: when nothing is received, transmitted or dropped for --stall-cycles while
/// packets are in the chip, it has deadlocked and stops there (bakerc run would spin to its 60e9-cycle limit).
/// Takes seconds per run; not a test, and CI does not run it.
/// </summary>
public static class MeScalingBench
{
    /// <summary>The samples and how their sat64 trace runs: all on port 0 (the inside port of the firewall and the NAT) with the
    /// sample's default control script (samples/l3_switch|mpls/expected/sat64.txt 'run:' lines; firewall and nat READMEs).</summary>
    private static readonly string[] AllSamples = ["l3_switch", "firewall", "mpls", "nat"];

    private const double LineMpps = 1e3 / 672; // 64-byte frames on 1 Gbit/s: (64 + 20 bytes preamble and gap) × 8 ns each
    private const double PublishedGbps = 2.0;  // the seed's figure after all optimisations (L3 switch, firewall, MPLS on a real IXP2400)

    private sealed record Options(string[] Samples, int[] Mes, int Ports, double? Load, long StallCycles, long MaxCycles, int WallSeconds);

    private sealed record Row(string Sample, int Mes, string? BuildError = null, JsonElement? Stats = null, int MesUsed = 0,
        string? Failure = null, long Offered = 0, double HostSeconds = 0);

    public static int Run(string[] args, string root)
    {
        var o = Parse(args);
        if (o is null)
        {
            Console.Error.WriteLine("usage: Baker.Bench me-scaling [--samples a,b,...] [--mes 1,2,4,8] [--ports N] [--load L (paced instead of saturate)] " +
                                    "[--stall-cycles N] [--max-cycles N] [--wall-seconds S]");
            return 2;
        }
        var outRoot = Path.Combine(root, "bench", "out");
        var rows = new List<Row>();
        foreach (var sample in o.Samples)
            foreach (var n in o.Mes)
            {
                var row = RunOne(root, sample, n, o);
                rows.Add(row);
                Console.Error.WriteLine($"{sample} --mes {n}: " + (row.BuildError ?? row.Failure ?? "ok") + string.Create(CultureInfo.InvariantCulture, $" ({row.HostSeconds:F1} s)"));
            }
        var md = Markdown(rows, o, args, root);
        Console.WriteLine(md);
        Directory.CreateDirectory(outRoot);
        File.WriteAllText(Path.Combine(outRoot, "me_scaling.md"), md);
        var bad = rows.Where(r => r.BuildError is not null || r.Failure is not null).ToList();
        foreach (var r in bad)
            Console.Error.WriteLine($"FAILED: {r.Sample} with {r.Mes} MEs: {r.BuildError ?? r.Failure}");
        Console.Error.WriteLine($"written to {Path.Combine("bench", "out", "me_scaling.md")}");
        return bad.Count == 0 ? 0 : 1;
    }

    private static Options? Parse(string[] args)
    {
        var o = new Options(AllSamples, [1, 2, 4, 8], 4, null, 10_000_000, 1_200_000_000, 120);
        for (var i = 0; i < args.Length; i++)
        {
            if (i + 1 >= args.Length) return null;
            var v = args[++i];
            var inv = CultureInfo.InvariantCulture;
            switch (args[i - 1])
            {
                case "--samples": o = o with { Samples = v.Split(',', StringSplitOptions.RemoveEmptyEntries) }; break;
                case "--mes": o = o with { Mes = v.Split(',').Select(s => int.Parse(s, inv)).ToArray() }; break;
                case "--ports": o = o with { Ports = int.Parse(v, inv) }; break;
                case "--load": o = o with { Load = double.Parse(v, inv) }; break;
                case "--stall-cycles": o = o with { StallCycles = long.Parse(v, inv) }; break;
                case "--max-cycles": o = o with { MaxCycles = long.Parse(v, inv) }; break;
                case "--wall-seconds": o = o with { WallSeconds = int.Parse(v, inv) }; break;
                default: return null;
            }
        }
        return o.Samples.All(AllSamples.Contains) ? o : null;
    }

    private static string TracePath(string sample) => $"samples/{sample}/traces/sat64.pcap";
    private static string Trace(string sample) => "0=" + TracePath(sample);
    private static string Control(string sample) => $"samples/{sample}/{sample}.ctl";
    private static string App(string sample) => $"samples/{sample}/{sample}.baker";
    private static string OutDir(string sample, string n) => $"bench/out/me_scaling/{sample}-me{n}";

    /// <summary>The bakerc command that makes the same run (the same build, setup and input; bakerc runs to the end or to 60e9 cycles).</summary>
    private static string Command(string sample, string n, Options o) =>
        $"dotnet run -c Release --project tools/bakerc -- run {App(sample)} --target ixp2400 --mes {n} " +
        (o.Load is { } l ? string.Create(CultureInfo.InvariantCulture, $"--load {l}") : "--saturate") +
        $" --ports {o.Ports} --trace {Trace(sample)} --control {Control(sample)} --out {OutDir(sample, n)}";

    /// <summary>One run, as ChipRun.Execute does it (build, setup on the interpreter, objects into SRAM, the traces), but run in
    /// windows so that a deadlock is seen and stopped.</summary>
    private static Row RunOne(string root, string sample, int n, Options o)
    {
        var sw = Stopwatch.StartNew();
        var machine = MachineDescription.Default().WithPorts(o.Ports);
        var built = ChipBuild.Execute([Path.Combine(root, App(sample))], new CompileOptions(), new ChipBuildOptions { Machine = machine, Mes = n });
        if (built.Program is not { } program)
        {
            var errors = built.Compile.Diagnostics.Where(d => d.IsError).Concat(built.Errors).Select(d => d.ToString()).ToList();
            var first = errors.Count == 0 ? "build failed" : errors[0].Split('\n')[0].Replace(root + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);
            if (errors.Count > 1) first += $" (and {errors.Count - 1} more)";
            return new Row(sample, n, BuildError: first, HostSeconds: sw.Elapsed.TotalSeconds);
        }
        var dir = Path.Combine(root, OutDir(sample, n.ToString(CultureInfo.InvariantCulture)));
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        ChipBuild.Write(program, dir);
        var traffic = o.Load is { } load ? new TrafficOptions { Timing = InputTiming.Paced, Load = load } : new TrafficOptions { Timing = InputTiming.Saturate };
        var loaded = ChipRun.Load(program, Path.Combine(root, Control(sample)), traffic, ["0=" + Path.Combine(root, TracePath(sample))], dir, o.MaxCycles);
        var (chip, control, frames) = (loaded.Chip, loaded.Control, loaded.Frames);

        // Run in windows; progress is anything received, transmitted or dropped (by a port or by the microcode).
        const long window = 1_000_000;
        long Progress()
        {
            long p = 0;
            for (var i = 0; i < chip.Ports.Count; i++)
            {
                var s = chip.Ports.Stats(i);
                p += s.RxPackets + s.TxPackets + s.Drops.Values.Sum();
            }
            foreach (var c in chip.Counters)
                if (c.Drop) p += chip.ReadWord(c.Space, c.Address);
            return p;
        }
        string? failure = null;
        long limit = 0, lastProgress = -1, lastProgressAt = 0;
        while (true)
        {
            limit += window;
            var end = chip.Run(limit);
            if (end < limit) break; // drained (or quiet after the last input), as bakerc run stops
            var p = Progress();
            if (p != lastProgress) { lastProgress = p; lastProgressAt = end; }
            else if (end - lastProgressAt >= o.StallCycles)
            {
                failure = string.Create(CultureInfo.InvariantCulture, $"DEADLOCK: nothing received, sent or dropped for {o.StallCycles:N0} cycles");
                break;
            }
            if (limit >= o.MaxCycles) { failure = string.Create(CultureInfo.InvariantCulture, $"NOT DONE at --max-cycles {o.MaxCycles:N0}"); break; }
            if (sw.Elapsed.TotalSeconds > o.WallSeconds) { failure = $"NOT DONE after {o.WallSeconds} s of host time"; break; }
        }
        loaded.Finish();
        var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "stats.json"))).RootElement.Clone();
        var packets = stats.GetProperty("packets");
        var inFlight = packets.GetProperty("inFlight").GetInt64();
        var unaccounted = packets.GetProperty("unaccounted").GetInt64();
        var tx = packets.GetProperty("transmitted").GetInt64();
        if (failure is null && inFlight > 0) failure = string.Create(CultureInfo.InvariantCulture, $"DEADLOCK: the run went quiet with {inFlight:N0} packets in the chip");
        if (failure is not null)
        {
            // Where it stuck: full rings, named after the input they feed, and the rate while it still moved.
            var names = program.Build.InputRings.ToDictionary(kv => kv.Value, kv => kv.Key);
            var full = chip.AllRings.Where(r => r.Space == MemorySpace.Scratch && r.Count >= r.SizeWords - 1)
                .Select(r => $"{(names.TryGetValue(r.Id, out var ep) ? ep : r.Name)} ({r.Count}/{r.SizeWords})").ToList();
            long lastTx = 0;
            for (var i = 0; i < chip.Ports.Count; i++)
                if (chip.Ports.Output(i) is { Count: > 0 } outp) lastTx = Math.Max(lastTx, outp[^1].Cycle);
            var rate = lastTx > 0 ? tx / (lastTx / (double)machine.ClockHz) / 1e6 : 0;
            failure += string.Create(CultureInfo.InvariantCulture,
                $"; {tx:N0} of {frames:N0} packets sent{(tx > 0 ? $" ({rate:F3} Mpps until the last)" : "")}, {inFlight:N0} in the chip; full rings: {(full.Count > 0 ? string.Join(", ", full) : "none")}");
        }
        if (unaccounted != 0) failure = (failure is null ? "" : failure + "; ") + $"UNACCOUNTED: {unaccounted} packets (offered - sent - dropped - in the chip)";
        if (control.Result.ControlErrors.Count > 0) failure = (failure is null ? "" : failure + "; ") + "control script: " + control.Result.ControlErrors[0];
        var used = stats.GetProperty("microengines").GetArrayLength();
        return new Row(sample, n, Stats: stats, MesUsed: used, Failure: failure, Offered: frames, HostSeconds: sw.Elapsed.TotalSeconds);
    }

    private static string Markdown(List<Row> rows, Options o, string[] args, string root)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var commit = Git(root, "rev-parse --short HEAD");
        sb.AppendLine("# BASE level on the emulated IXP2400: forwarding rate against the MEs available");
        sb.AppendLine();
        sb.AppendLine($"    dotnet build -c Release bench/Baker.Bench && dotnet run -c Release --no-build --project bench/Baker.Bench -- me-scaling{(args.Length > 0 ? " " + string.Join(' ', args) : "")}");
        sb.AppendLine();
        sb.AppendLine(string.Create(inv, $"Commit {commit ?? "?"}. The IXP2400-class machine (8 MEs × 8 contexts, 600 MHz) with {o.Ports} ports of 1 Gbit/s; ") +
                      (o.Load is { } l ? string.Create(inv, $"input paced at {l} × line rate") : "saturating input (frames as fast as the receive ring takes them)") +
                      ": each sample's traces/sat64.pcap (64-byte frames, 60 bytes captured) on port 0 with its default control script. " +
                      "Each row is");
        sb.AppendLine();
        foreach (var s in o.Samples) sb.AppendLine("    " + Command(s, "N", o));
        sb.AppendLine();
        sb.AppendLine("| sample | MEs | MEs used | Mpps | Gbit/s | of 2 Gbit/s | ME instr/pkt | sram/pkt | dram/pkt | scratch/pkt (polls, retries) | ME utilisation | dropped | result |");
        sb.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|---|");
        foreach (var r in rows)
        {
            if (r.BuildError is not null)
            {
                sb.AppendLine($"| {r.Sample} | {r.Mes} | | | | | | | | | | | build failed: `{r.BuildError.Replace("|", "\\|", StringComparison.Ordinal)}` |");
                continue;
            }
            var s = r.Stats!.Value;
            var p = s.GetProperty("packets");
            var pp = s.GetProperty("perPacket");
            var refs = pp.GetProperty("memoryReferences");
            var rx = p.GetProperty("received").GetInt64();
            var util = string.Join(" ", s.GetProperty("microengines").EnumerateArray().Select(m => m.GetProperty("utilization").GetDouble().ToString("F2", inv)));
            long polls = 0, retries = 0;
            foreach (var ring in s.GetProperty("rings").EnumerateArray())
                if (ring.GetProperty("space").GetString() == "scratch")
                {
                    polls += ring.GetProperty("emptyGets").GetInt64();
                    retries += ring.GetProperty("refusedPuts").GetInt64();
                }
            var drops = p.GetProperty("drops").EnumerateObject().Where(d => d.Value.GetInt64() > 0).Select(d => $"{d.Name} {d.Value.GetInt64():N0}").ToList();
            var dropped = p.GetProperty("dropped").GetInt64().ToString("N0", inv) + (drops.Count > 0 ? $" ({string.Join(", ", drops)})" : "");
            if (r.Failure is not null)
            {
                sb.AppendLine($"| {r.Sample} | {r.Mes} | {r.MesUsed} | | | | | | | | {util} | {dropped} | **{r.Failure}** |");
                continue;
            }
            var mpps = p.GetProperty("forwardingMpps").GetDouble();
            var gbps = p.GetProperty("forwardingGbps").GetDouble();
            // 2 Gbit/s of 64-byte frames on the wire (with preamble and gap), as the published figure counts line rate.
            var ofPublished = mpps / (PublishedGbps * LineMpps);
            string Per(long v) => rx > 0 ? ((double)v / rx).ToString("F1", inv) : "0";
            sb.AppendLine(string.Create(inv,
                $"| {r.Sample} | {r.Mes} | {r.MesUsed} | {mpps:F3} | {gbps:F3} | {ofPublished:P1} | {pp.GetProperty("instructions").GetDouble():F0} | {refs.GetProperty("sram").GetDouble():F1} | {refs.GetProperty("dram").GetDouble():F1} | {refs.GetProperty("scratch").GetDouble():F1} ({Per(polls)}, {Per(retries)}) | {util} | {dropped} | ok: {p.GetProperty("transmitted").GetInt64():N0} of {r.Offered:N0} out |"));
        }
        sb.AppendLine();
        sb.AppendLine(string.Create(inv, $"Mpps and Gbit/s are stats.json's: packets and frame bytes (60, no FCS) sent over the run's emulated time. 'of 2 Gbit/s' compares with the published " +
                                         $"{PublishedGbps} Gbit/s of 64-byte frames on the wire (64 + 20 bytes of preamble and gap: {LineMpps:F3} Mpps per 1 Gbit/s port, {PublishedGbps * LineMpps:F3} Mpps). ") +
                      "Per-packet figures are over the packets received and count everything the MEs did, polling empty rings and retrying puts into full rings included " +
                      "(scratch: references from empty ring polls and refused puts in brackets). ME utilisation is instructions over cycles, per ME with code. " +
                      "A deadlocked run lists the rings that were full when it stopped (by the input they feed) and its rate up to the last packet sent; its files are kept for inspection.");
        return sb.ToString();
    }

    private static string? Git(string root, string arguments)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("git", arguments) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true });
            var text = p!.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}
