using System.Text.Json;
using Baker.Compiler.Driver;
using Baker.Runtime.Pcap;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>
/// Apps compiled to microcode and run on the emulated chip against the reference interpreter: per output
/// port the same multiset of frames, in the same order within each flow, the same drops by reason, the
/// same control log and the same trace lines (issue 6's differential check). A trace line's time is now():
/// the packet's timestamp on the interpreter, the emulated time on the chip, which processes the packet
/// after it arrived; so the chip's line must say the same text no earlier than the interpreter's, and the
/// chip's trace.log is in time order.
/// </summary>
public class ChipDifferentialTests
{
    public static TheoryData<string, string[], string?> Cases => new()
    {
        { "samples/firewall/firewall.baker", ["0=samples/firewall/traces/rules_p0.pcap", "1=samples/firewall/traces/rules_p1.pcap"], "samples/firewall/firewall.ctl" },
        { "samples/firewall/firewall.baker", ["0=samples/firewall/traces/malformed.pcap"], "samples/firewall/firewall.ctl" },
        // Rule changes under traffic (@time lines); its last packet is dropped, which can end the run.
        { "samples/firewall/firewall.baker", ["0=samples/firewall/traces/changes_p0.pcap", "1=samples/firewall/traces/changes_p1.pcap"], "samples/firewall/changes.ctl" },
        { "tests/interp/apps/fields.baker", ["0=samples/firewall/traces/rules_p0.pcap"], null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ChipAgreesWithTheInterpreter(string app, string[] traces, string? control) => Compare(app, traces, control);

    /// <summary>Runs the app (paths from the repository's root) on both targets and compares them; returns the chip's run.</summary>
    internal static ChipRunOutcome Compare(string app, string[] traces, string? control) =>
        Compare(new RunRequest([Repo.Path(app)], traces.Select(t => t[..2] + Repo.Path(t[2..])).ToList(),
            control is null ? null : Repo.Path(control), new CompileOptions()), new ChipRunOptions());

    /// <summary>
    /// Every run of the samples' expected results (samples/*/expected/*.txt) but those
    /// tests/backend/chip_runs_left_out.txt lists, with the reason (checked by <see cref="LeftOutRunsExistAndSayWhy"/>).
    /// Traces that span minutes cost nothing extra: idle threads sleep and the emulator skips to the next frame.
    /// </summary>
    public static TheoryData<string, string> SampleCases()
    {
        var data = new TheoryData<string, string>();
        var leftOut = LeftOutRuns();
        foreach (var sample in new[] { "firewall", "l3_switch", "mpls", "nat" })
            foreach (var file in Directory.GetFiles(Path.Combine(Samples.SampleRuns.Dir(sample), "expected"), "*.txt").Order(StringComparer.Ordinal))
                if (File.ReadLines(file).Any(l => l.StartsWith("run:", StringComparison.Ordinal)) && !leftOut.ContainsKey($"{sample}/expected/{Path.GetFileName(file)}"))
                    data.Add(sample, Path.GetFileName(file));
        return data;
    }

    private static Dictionary<string, string> LeftOutRuns() => ReasonList("chip_runs_left_out.txt");

    [Fact]
    public void LeftOutRunsExistAndSayWhy()
    {
        foreach (var (run, why) in LeftOutRuns())
        {
            Assert.True(File.Exists(Repo.Path("samples", run)), $"chip_runs_left_out.txt names {run}, which does not exist");
            Assert.True(why.Length > 20, $"chip_runs_left_out.txt gives no reason for {run}");
        }
    }

    [Theory]
    [MemberData(nameof(SampleCases))]
    public void SampleRunsAgreeWithTheInterpreter(string sample, string expected)
    {
        var e = Samples.SampleRuns.Expected.Parse(Path.Combine(Samples.SampleRuns.Dir(sample), "expected", expected));
        // The saturation traces come faster than the BASE code forwards (the receive ring would overflow, which
        // the interpreter never does): they play as fast as the ports accept instead.
        var timing = expected == "sat64.txt" ? Baker.Runtime.Ports.InputTiming.Saturate : Baker.Runtime.Ports.InputTiming.Trace;
        Compare(new RunRequest([Samples.SampleRuns.Entry(sample)], e.Traces, e.Control, new CompileOptions()),
            new ChipRunOptions { Machine = MachineFor(e), Traffic = new() { Timing = timing } });
    }

    /// <summary>
    /// The default machine with the ports a run uses (its traces' and its expected outputs'), at least its own: each
    /// port beyond the default's takes a transmit ring's kilobyte of scratch from the channel rings (the NAT needs 15).
    /// </summary>
    private static Baker.Runtime.Machine.MachineDescription MachineFor(Samples.SampleRuns.Expected e)
    {
        var machine = Baker.Runtime.Machine.MachineDescription.Default();
        var used = e.Traces.Select(t => int.Parse(t[..t.IndexOf('=')], System.Globalization.CultureInfo.InvariantCulture)).Concat(e.Out.Keys).DefaultIfEmpty(0).Max() + 1;
        return used > machine.Ports.Count ? machine.WithPorts(used) : machine;
    }

    /// <summary>The apps tests/backend/chip_apps_left_out.txt does not list (it says why it lists the others).</summary>
    public static TheoryData<string> InterpreterApps() =>
        new(Directory.GetFiles(Repo.Path("tests", "interp", "apps"), "*.baker").Select(Path.GetFileName)
            .Where(n => !LeftOutApps().ContainsKey(n!)).Order(StringComparer.Ordinal)!);

    private static Dictionary<string, string> LeftOutApps() => ReasonList("chip_apps_left_out.txt");

    /// <summary>A tests/backend list of "name: why" lines (# comments).</summary>
    private static Dictionary<string, string> ReasonList(string file) =>
        File.ReadAllLines(Repo.Path("tests", "backend", file)).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToDictionary(l => l[..l.IndexOf(':')], l => l[(l.IndexOf(':') + 1)..].Trim());

    [Fact]
    public void LeftOutAppsExistAndSayWhy()
    {
        foreach (var (name, why) in LeftOutApps())
        {
            Assert.True(File.Exists(Repo.Path("tests", "interp", "apps", name)), $"chip_apps_left_out.txt names {name}, which does not exist");
            Assert.True(why.Length > 20, $"chip_apps_left_out.txt gives no reason for {name}");
        }
    }

    /// <summary>The interpreter's test apps (tests/interp/apps): their frames (1 µs apart unless the app says otherwise) and their control lines, on eight ports.</summary>
    [Theory]
    [MemberData(nameof(InterpreterApps))]
    public void InterpreterAppsAgreeWithTheInterpreter(string name)
    {
        var app = Repo.Path("tests", "interp", "apps", name);
        var e = Interpreter.InterpreterAppTests.Read(File.ReadAllText(app));
        var dir = Path.Combine(Path.GetTempPath(), "baker-app-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var traces = new List<string>();
            foreach (var port in e.Frames.Select(f => f.Port).Distinct())
            {
                var file = Path.Combine(dir, $"in{port}.pcap");
                using (var w = new PcapWriter(file))
                    foreach (var f in e.Frames.Where(f => f.Port == port)) w.Write(f.TimestampNs, f.Data, f.Data.Length);
                traces.Add($"{port}={file}");
            }
            string? control = null;
            if (e.Control.Count > 0) File.WriteAllLines(control = Path.Combine(dir, "app.ctl"), e.Control);
            Compare(new RunRequest([app], traces, control, new CompileOptions()),
                new ChipRunOptions { Machine = Baker.Runtime.Machine.MachineDescription.Default().WithPorts(8) });
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// One flow of 48 frames fed as fast as the port takes them, long and short to process in turn
    /// (tests/backend/apps/order.baker): the threads finish them out of order, the flow must not leave so.
    /// </summary>
    [Fact]
    public void OneFlowKeepsItsOrderThroughManyThreads()
    {
        var trace = Path.Combine(Path.GetTempPath(), "baker-order-" + Guid.NewGuid().ToString("N") + ".pcap");
        try
        {
            using (var w = new PcapWriter(trace))
                for (var k = 0; k < 48; k++)
                {
                    var frame = new byte[60];
                    Convert.FromHexString("020000000002020000000001" + "88b5").CopyTo(frame, 0);
                    frame[14] = (byte)(k % 2 == 0 ? 200 : 1);
                    frame[15] = (byte)k;
                    w.Write(k * 1000L, frame, frame.Length);
                }
            Compare(new RunRequest([Repo.Path("tests", "backend", "apps", "order.baker")], ["0=" + trace], null, new CompileOptions()),
                new ChipRunOptions { Mes = 1, Traffic = new() { Timing = Baker.Runtime.Ports.InputTiming.Saturate } });
        }
        finally
        {
            File.Delete(trace);
        }
    }

    internal static ChipRunOutcome Compare(RunRequest request, ChipRunOptions options)
    {
        var reference = InterpreterRun.Execute(request).Run!;
        var dir = Path.Combine(Path.GetTempPath(), "baker-chip-" + Guid.NewGuid().ToString("N"));
        try
        {
            var chip = ChipRun.Execute(request, options, dir);
            Assert.True(chip.Errors.Count == 0, string.Join("\n", chip.Errors));
            Assert.True(chip.Setup is not null, string.Join("\n", chip.Compile.Diagnostics));
            Assert.Empty(chip.Setup!.ControlErrors);
            // The control lines' results, in the order they ran, and the log file the chip's run writes.
            Assert.Equal(chip.Setup.ControlLog, File.ReadAllLines(Path.Combine(dir, "control.log")));
            Assert.Equal(reference.ControlLog, chip.Setup.ControlLog);
            Assert.Empty(chip.StaleReads);
            var summary = chip.Summary!;
            Assert.Equal(0, summary.Unaccounted);
            Assert.Equal(0, summary.InFlight);
            var chipPorts = Directory.GetFiles(dir, "port*.pcap").Select(f => int.Parse(Path.GetFileNameWithoutExtension(f)[4..], System.Globalization.CultureInfo.InvariantCulture));
            foreach (var port in reference.Outputs.Select(o => o.Port).Concat(chipPorts).Distinct())
            {
                var expected = reference.Outputs.Where(o => o.Port == port).Select(o => Convert.ToHexString(o.Data)).Order().ToList();
                var file = Path.Combine(dir, $"port{port}.pcap");
                var actual = File.Exists(file) ? PcapReader.ReadFile(file).Select(f => Convert.ToHexString(f.Data)).Order().ToList() : [];
                Assert.True(expected.SequenceEqual(actual), $"port {port}: interpreter sent {expected.Count} frames, the chip {actual.Count}; first difference: {expected.Except(actual).Concat(actual.Except(expected)).FirstOrDefault()}");
                // Per flow, the same order.
                var sent = reference.Outputs.Where(o => o.Port == port).Select(o => o.Data).ToList();
                var got = File.Exists(file) ? PcapReader.ReadFile(file).Select(f => f.Data).ToList() : [];
                foreach (var flow in sent.Select(Flow).Distinct())
                {
                    var want = sent.Where(d => Flow(d) == flow).Select(Convert.ToHexString).ToList();
                    var have = got.Where(d => Flow(d) == flow).Select(Convert.ToHexString).ToList();
                    Assert.True(want.SequenceEqual(have), $"port {port}, flow {flow}: the chip sent its {want.Count} frames in another order");
                }
            }
            CompareTraces(reference.TraceLines, chip.TraceLines, Path.Combine(dir, "trace.log"));
            Assert.Equal(0, chip.TraceLost);
            var drops = JsonDocument.Parse(summary.StatsJson).RootElement.GetProperty("packets").GetProperty("drops")
                .EnumerateObject().Where(p => p.Value.GetInt64() > 0).ToDictionary(p => p.Name, p => p.Value.GetInt64());
            Assert.Equal(reference.Dropped.OrderBy(d => d.Key), drops.OrderBy(d => d.Key));
            return chip;
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// The chip's trace lines against the interpreter's: the same texts as many times each, every chip line no
    /// earlier than the interpreter's line of that text (paired in time order), the chip's lines in time order,
    /// and trace.log holding them (or absent when there are none).
    /// </summary>
    internal static void CompareTraces(IReadOnlyList<string> reference, IReadOnlyList<string> chip, string file)
    {
        if (chip.Count == 0) Assert.False(File.Exists(file), "trace.log written for a run without trace lines");
        else Assert.Equal(chip, File.ReadAllLines(file));
        var times = chip.Select(Baker.Compiler.IR.TraceFormat.TimeOf).ToList();
        for (var k = 1; k < times.Count; k++)
            Assert.True(times[k - 1] <= times[k], $"trace.log is not in time order at line {k + 1}: {chip[k - 1]} / {chip[k]}");
        static ILookup<string, long> ByText(IEnumerable<string> lines) =>
            lines.ToLookup(Baker.Compiler.IR.TraceFormat.TextOf, Baker.Compiler.IR.TraceFormat.TimeOf);
        var want = ByText(reference);
        var have = ByText(chip);
        foreach (var text in want.Select(g => g.Key).Union(have.Select(g => g.Key)))
        {
            var w = want[text].Order().ToList();
            var h = have[text].Order().ToList();
            Assert.True(w.Count == h.Count, $"trace '{text}': the interpreter printed it {w.Count} times, the chip {h.Count}");
            for (var k = 0; k < w.Count; k++)
                Assert.True(h[k] >= w[k], $"trace '{text}': the chip printed it at {h[k]} ns, before the interpreter's {w[k]} ns");
        }
    }

    /// <summary>
    /// A frame's flow: for IPv4 the protocol, addresses and (TCP, UDP) ports; for MPLS its labels (without TTL)
    /// and the flow of the IPv4 packet under them; otherwise its ethertype and source MAC.
    /// </summary>
    internal static string Flow(byte[] f)
    {
        if (f.Length < 14) return "runt";
        var type = f[12] << 8 | f[13];
        if (type is 0x8847 or 0x8848)
        {
            var labels = new System.Text.StringBuilder("mpls");
            var at = 14;
            while (at + 4 <= f.Length)
            {
                labels.Append(' ').Append((f[at] << 12 | f[at + 1] << 4 | f[at + 2] >> 4).ToString("x5", System.Globalization.CultureInfo.InvariantCulture));
                at += 4;
                if ((f[at - 2] & 1) != 0) break;
            }
            return f.Length > at && f[at] >> 4 == 4 ? labels + " " + IpFlow(f, at) : labels.ToString();
        }
        if (type != 0x0800 || f.Length < 34) return $"{type:x4} {Convert.ToHexString(f, 6, 6)}";
        return IpFlow(f, 14);
    }

    private static string IpFlow(byte[] f, int ip)
    {
        if (f.Length < ip + 20) return "ip runt";
        var ihl = (f[ip] & 15) * 4;
        var proto = f[ip + 9];
        var ports = (proto is 6 or 17) && f.Length >= ip + ihl + 4 ? Convert.ToHexString(f, ip + ihl, 4) : "";
        return $"ip {proto} {Convert.ToHexString(f, ip + 12, 8)} {ports}";
    }
}
