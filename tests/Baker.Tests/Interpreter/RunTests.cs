using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;
using Baker.Runtime.Pcap;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Interpreter;

/// <summary>Whole runs: random frames through every valid program, control-script errors found at run time, and bakerc run/profile/dump-ir.</summary>
public class RunTests
{
    private const string L3Control = """
        core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)
        core.fwd.lpm.add_route(192.168.0.0, 16, 192.168.1.1)
        core.fwd.encap.mac.set_neighbor(10.0.0.254, 00:1b:21:3a:4f:5e, 1)
        core.fwd.encap.mac.set_neighbor(192.168.1.1, 00:1b:21:3a:4f:5f, 2)
        core.fwd.icmp.set_router_ip(10.0.0.1)
        """;

    private static Baker.Compiler.IR.IrModule Compile(string path)
    {
        var r = Compilation.Compile([path], new CompileOptions());
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        return r.Module!;
    }

    /// <summary>Random byte strings, half of them behind an Ethernet/IPv4 prefix so that they get past the first checks.</summary>
    private static List<InputFrame> RandomFrames(int count, int seed)
    {
        var random = new Random(seed);
        var frames = new List<InputFrame>();
        for (int i = 0; i < count; i++)
        {
            var data = new byte[random.Next(0, 1601)];
            random.NextBytes(data);
            if (i % 2 == 0 && data.Length >= 34)
            {
                data[12] = 0x08; data[13] = 0x00;                  // IPv4
                data[14] = (byte)(0x40 | random.Next(4, 16));      // version 4, any ihl
                data[22] = (byte)random.Next(0, 4);                // ttl near expiry sometimes
                if (i % 4 == 0) { data[30] = 10; data[31] = 0; data[32] = 0; data[33] = 1; }   // the router itself
            }
            // Some frames claim more bytes on the wire than were captured.
            int wire = i % 10 == 0 ? data.Length + 20 : data.Length;
            frames.Add(new InputFrame(1_000_000 + i * 1000L, random.Next(3), data, wire, "random"));
        }
        return frames;
    }

    [Fact]
    public void TenThousandRandomFramesThroughTheL3SwitchNeverCrashAndConserve()
    {
        var module = Compile(Repo.Path("tests", "frontend", "valid", "l3_switch.baker"));
        var run = new IrInterpreter(module).Run(RandomFrames(10_000, 1), ControlScriptParser.Parse(L3Control, "l3.ctl"));
        Assert.Empty(run.ControlErrors);
        Assert.Equal(10_000, run.PacketsIn);
        Assert.Equal(1000, run.TruncatedFramesIn);
        Assert.True(run.Conserved, InterpreterRun.Summary(run));
        Assert.Equal(0, run.QueuedAtEnd);
        Assert.False(run.Dropped.ContainsKey("internal_error"), run.FirstFault.GetValueOrDefault("internal_error"));
        Assert.True(run.Transmitted > 0, "some random IPv4 frames are routed");
        Assert.True(run.Dropped.ContainsKey("truncated"), "short frames fault on field reads");
    }

    public static TheoryData<string> ValidPrograms() =>
        new(Directory.GetFiles(Repo.Path("tests", "frontend", "valid"), "*.baker").Order().Select(f => Path.GetFileName(f)!));

    [Theory]
    [MemberData(nameof(ValidPrograms))]
    public void RandomFramesThroughEveryValidProgramConserve(string name)
    {
        var module = Compile(Repo.Path("tests", "frontend", "valid", name));
        var run = new IrInterpreter(module).Run(RandomFrames(1000, name.Length));
        Assert.Equal(1000, run.PacketsIn);
        Assert.True(run.Conserved, InterpreterRun.Summary(run));
        Assert.False(run.Dropped.ContainsKey("internal_error"), run.FirstFault.GetValueOrDefault("internal_error"));
    }

    public static TheoryData<string> InterpreterControlCases() =>
        new(Directory.GetFiles(Repo.Path("tests", "control"), "*.ctl").Order()
            .Where(f => File.ReadAllText(f).Contains("# interpreter:")).Select(f => Path.GetFileName(f)!));

    /// <summary>Cases under tests/control with '# interpreter: LINE:COL BKnnnn' and '# app: FILE' lines: the run reports exactly those.</summary>
    [Theory]
    [MemberData(nameof(InterpreterControlCases))]
    public void ControlScriptErrorsFoundAtRunTime(string name)
    {
        var path = Repo.Path("tests", "control", name);
        var text = File.ReadAllText(path);
        var app = Regex.Match(text, @"^#\s*app:\s*(\S+)", RegexOptions.Multiline).Groups[1].Value;
        var expected = Regex.Matches(text, @"^#\s*interpreter:\s*(\d+:\d+ BK\d{4})", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        var module = Compile(Path.Combine(Path.GetDirectoryName(path)!, app));
        var run = new IrInterpreter(module).Run([], ControlScriptParser.ParseFile(path));
        var actual = run.ControlErrors.Select(d => $"{d.Span.Line}:{d.Span.Column} {d.Code}").ToList();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void BakercRunWritesPortPcapsStatsAndControlLog()
    {
        var dir = Directory.CreateTempSubdirectory("bakerc-run").FullName;
        var trace = Path.Combine(dir, "in.pcap");
        using (var w = new PcapWriter(trace, nanosecond: false))
            foreach (var f in RandomFrames(200, 7)) w.Write(f.TimestampNs, f.Data, f.OriginalLength);
        var control = Path.Combine(dir, "l3.ctl");
        File.WriteAllText(control, L3Control + "\n@end core.fwd.icmp.echo_count()\n@end core.fwd.lpm.route_count()\n");
        var outDir = Path.Combine(dir, "out");
        var (exit, stdout, stderr) = Bakerc.Run("run", Repo.Path("tests", "frontend", "valid", "l3_switch.baker"),
            "--trace", trace, "--control", control, "--out", outDir);
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("BK6", stderr);
        Assert.Contains("conservation: ok", stdout);
        var stats = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "stats.json")))!;
        Assert.Equal("interp", (string)stats["target"]!);
        Assert.Equal(200, (long)stats["packets_in"]!);
        long dropped = stats["dropped"]!.AsObject().Sum(kv => (long)kv.Value!);
        long perPort = stats["per_port_out"]!.AsObject().Sum(kv => (long)kv.Value!);
        Assert.Equal(200 + (long)stats["packets_created"]!, (long)stats["packets_out"]! + dropped + (long)stats["queued_at_end"]!);
        Assert.Equal((long)stats["packets_out"]!, perPort);
        foreach (var (port, n) in stats["per_port_out"]!.AsObject())
            Assert.Equal((long)n!, PcapReader.ReadFile(Path.Combine(outDir, $"port{port}.pcap")).Count);
        var log = File.ReadAllLines(Path.Combine(outDir, "control.log"));
        Assert.Equal(2, log.Length);
        Assert.Matches(@"^core\.fwd\.icmp\.echo_count\(\) = \d+$", log[0]);
        Assert.Equal("core.fwd.lpm.route_count() = 2", log[1]);
        Assert.True(File.Exists(Path.Combine(outDir, "trace.log")), "l3_switch traces each IPv4 packet");
    }

    [Fact]
    public void BakercRunReportsACorruptTraceWithItsOffset()
    {
        var dir = Directory.CreateTempSubdirectory("bakerc-run").FullName;
        var trace = Path.Combine(dir, "bad.pcap");
        using (var w = new PcapWriter(trace)) w.Write(0, new byte[60], 60);
        var bytes = File.ReadAllBytes(trace);
        File.WriteAllBytes(trace, bytes[..^10]);
        var (exit, _, stderr) = Bakerc.Run("run", Repo.Path("tests", "frontend", "valid", "mirror.baker"), "--trace", trace, "--out", Path.Combine(dir, "o"));
        Assert.Equal(1, exit);
        Assert.Contains("BK6006", stderr);
        Assert.Contains("offset", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void BakercProfileWritesAVersionedProfile()
    {
        var dir = Directory.CreateTempSubdirectory("bakerc-profile").FullName;
        var trace = Path.Combine(dir, "in.pcap");
        using (var w = new PcapWriter(trace))
            foreach (var f in RandomFrames(100, 3)) w.Write(f.TimestampNs, f.Data, f.OriginalLength);
        var control = Path.Combine(dir, "l3.ctl");
        File.WriteAllText(control, L3Control);
        var output = Path.Combine(dir, "profile.json");
        var (exit, _, stderr) = Bakerc.Run("profile", Repo.Path("tests", "frontend", "valid", "l3_switch.baker"), "--trace", trace, "--control", control, "-o", output);
        Assert.True(exit == 0, stderr);
        var profile = Baker.Compiler.Profiling.Profile.FromJson(File.ReadAllText(output), output);
        Assert.Equal(100, profile.Packets);
        Assert.Equal(100, profile.Channels.Single(c => c.From == "rx").Packets);
        Assert.Equal(100, profile.Functions["core.cls.process.in"].Blocks[0]);
        Assert.True(profile.Instances["core.cls"].OpsPerPacket > 0);
        Assert.True(profile.Objects["core.fwd.lpm.trie"].Reads.ContainsKey("core.fwd.lpm"), "lpm reads its trie");
        Assert.True(profile.Objects["core.fwd.lpm.trie"].Writes.ContainsKey(Baker.Compiler.Profiling.Profile.ControlPlane), "add_route writes it");
        Assert.Equal(100, profile.FieldAccessesPerPacket.Values.Sum());
        Assert.Throws<InvalidDataException>(() => Baker.Compiler.Profiling.Profile.FromJson(File.ReadAllText(output).Replace("\"version\": 1", "\"version\": 7"), "p"));
    }

    [Fact]
    public void BakercDumpIrPrintsTheIrAfterAPassAndListsPasses()
    {
        var file = Repo.Path("tests", "frontend", "valid", "mirror.baker");
        var (exit, stdout, stderr) = Bakerc.Run("dump-ir", file);
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("app ", stdout);
        Assert.Empty(Baker.Compiler.IR.IrVerifier.Verify(Baker.Compiler.IR.IrParser.Parse(stdout, "dump")));
        var all = Bakerc.Run("dump-ir", file, "--after", "all");
        Assert.Equal(Pipeline.Passes.Count, Regex.Matches(all.Out, "^; ==== after ", RegexOptions.Multiline).Count);
        var lowered = Bakerc.Run("dump-ir", file, "--after", "lower");
        Assert.Equal(0, lowered.Exit);
        Assert.NotEqual(stdout, lowered.Out);
        var list = Bakerc.Run("dump-ir", "--list-passes");
        Assert.Equal(0, list.Exit);
        Assert.All(Pipeline.Passes, p => Assert.Contains(p.Name, list.Out));
        // One column per field: the descriptions start at the same place on every line, the longest name included.
        Assert.Single(list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Regex.Match(l, "(required|optional)").Index).Distinct());
        Assert.Equal(2, Bakerc.Run("dump-ir", file, "--after", "nosuchpass").Exit);
        Assert.Equal(2, Bakerc.Run("dump-ir", file, "--disable", "lower").Exit);
        var noTrace = Bakerc.Run("dump-ir", Repo.Path("tests", "frontend", "valid", "l3_switch.baker"), "--no-trace");
        Assert.DoesNotContain(" trace ", noTrace.Out);
    }

    /// <summary>
    /// A target that processes the packets itself takes the ones control code puts (RunSetup/RunControlLine with a
    /// sink): where the handle is, how far the packet reaches back, the bytes from the handle on and the metadata;
    /// the interpreter neither processes nor transmits them, and counts what the code made and dropped as always.
    /// </summary>
    [Fact]
    public void ControlPutsGoToATargetThatTakesThem()
    {
        var module = Compile(Repo.Path("tests", "backend", "control", "made.baker"));
        var script = ControlScriptParser.Parse("m.offsets()\nm.waste()\n", "made.ctl");
        var puts = new List<ControlPacket>();
        var setup = new IrInterpreter(module).RunSetup(script, 0, puts.Add);
        Assert.Equal(2, puts.Count);
        var direct = module.Channels.Single(c => c.From.Instance == "m" && c.From.Endpoint == "direct").Id;
        var outPort = module.Metadata.FindIndex(m => m.Name == "out_port");
        // An ether header encapsulated in front of a 21-byte shim packet: the handle 14 bytes before the origin.
        var (encap, decap) = (puts[0], puts[1]);
        Assert.Equal((direct, -14, -14, 35), (encap.Channel, encap.Offset, encap.Head, encap.Data.Length));
        Assert.Equal("02000000001002000000000488B65A5A", Convert.ToHexString(encap.Data, 0, 16));
        Assert.Equal(0x77, encap.Data[34]);
        Assert.Equal(2UL, encap.Meta[outPort]);
        // A 45-byte packet sent from its second header.
        Assert.Equal((direct, 14, 0, 31), (decap.Channel, decap.Offset, decap.Head, decap.Data.Length));
        Assert.Equal(0x99, decap.Data[30]);
        Assert.Equal(1UL, decap.Meta[outPort]);
        Assert.Equal(3, setup.Created);
        Assert.Equal(1, setup.Dropped["program"]);
        Assert.Equal(0, setup.Transmitted);
        Assert.Empty(setup.Outputs);
        // Without a sink the interpreter sends them itself.
        var alone = new IrInterpreter(module).RunSetup(script, 0);
        Assert.Equal(2, alone.Transmitted);
    }
}
