using System.Text.Json;
using System.Text.RegularExpressions;
using Baker.Compiler.Backend.Me;
using Baker.Compiler.Driver;
using Baker.Runtime.Isa;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Tools;

/// <summary>bakerc build --target ixp2400 and the chip options of bakerc run: the files, the report, placement, machine and traffic options.</summary>
public class BakercBuildTests
{
    private static readonly string Firewall = Repo.Path("samples", "firewall", "firewall.baker");
    private static readonly string[] Traces =
        ["--trace", "0=" + Repo.Path("samples", "firewall", "traces", "rules_p0.pcap"), "--trace", "1=" + Repo.Path("samples", "firewall", "traces", "rules_p1.pcap"),
         "--control", Repo.Path("samples", "firewall", "firewall.ctl")];

    private static string TempDir() => Directory.CreateTempSubdirectory("bakerc-build").FullName;

    [Fact]
    public void BuildWritesAssemblyImagePlacementAndReport()
    {
        var dir = TempDir();
        var (exit, stdout, stderr) = Bakerc.Run("build", Firewall, "--target", "ixp2400", "-o", dir);
        Assert.True(exit == 0, stderr);
        Assert.Contains("firewall on ixp2400: 4 MEs", stdout);
        Assert.Matches(@"ME 1 +\d+ / 4096 instructions +fw\.cache", stdout);

        // The same build in-process: the files hold exactly what it made.
        var program = ChipBuild.Execute([Firewall], new CompileOptions(), new ChipBuildOptions()).Program!;
        Assert.Equal(program.Build.Assembly, File.ReadAllText(Path.Combine(dir, "firewall.uasm")));
        Assert.Equal(ImageFile.ToBytes(program.Image), File.ReadAllBytes(Path.Combine(dir, "firewall.img")));
        var (placement, diags) = Placement.Read(Path.Combine(dir, "placement.txt"), program.Module, 8);
        Assert.Empty(diags);
        Assert.Equal(program.Placement.MeOf.OrderBy(x => x.Key), placement!.MeOf.OrderBy(x => x.Key));
        Assert.Equal(program.Report(), File.ReadAllText(Path.Combine(dir, "build-report.txt")));
    }

    [Fact]
    public void ReportListsEveryFunctionWithItsInstructionsAndSpills()
    {
        var program = ChipBuild.Execute([Firewall], new CompileOptions(), new ChipBuildOptions()).Program!;
        var report = program.Report();
        var rows = Regex.Matches(report, @"^  @(?<name>\S+) +(?<instr>\d+) +(?<spills>\d+) +(?<frame>\d+) +(?<moves>\d+)$", RegexOptions.Multiline)
            .Select(m => (Name: m.Groups["name"].Value, Instr: int.Parse(m.Groups["instr"].Value), Spills: int.Parse(m.Groups["spills"].Value), Frame: int.Parse(m.Groups["frame"].Value)))
            .ToList();
        var functions = program.Build.PerMe.OrderBy(kv => kv.Key).SelectMany(kv => kv.Value.Functions).ToList();
        Assert.Equal(functions.Select(f => (f.Name, f.Spills, f.FrameWords)), rows.Select(r => (r.Name, r.Spills, r.Frame)));
        Assert.Contains(rows, r => r.Frame > 0);
        // Per ME, the functions and the dispatch loop with the runtime library make up the code the control store holds.
        foreach (var code in program.Image.Mes)
        {
            var m = Regex.Match(report, $@"^  control store +{code.Code.Length} / 4096 instructions \([\d.]+%\): dispatch loop and runtime library (\d+), functions (\d+)$", RegexOptions.Multiline);
            Assert.True(m.Success, $"ME {code.Me}: no control store line with {code.Code.Length} instructions in\n{report}");
            var names = program.Build.PerMe[code.Me].Functions.Select(f => f.Name).ToHashSet();
            Assert.Equal(int.Parse(m.Groups[2].Value), rows.Where(r => names.Contains(r.Name)).Sum(r => r.Instr));
        }
        Assert.Contains($"spills in {functions.Count} functions", report);
    }

    [Fact]
    public void CodeTooLargeForTheControlStoreFailsNamingTheAggregate()
    {
        var dir = TempDir();
        var machine = Repo.Path("tests", "backend", "build", "machines", "tiny_store.json");
        var (exit, stdout, stderr) = Bakerc.Run("build", Firewall, "-o", dir, "--machine", machine);
        Assert.Equal(1, exit);
        Assert.Matches(@"firewall\.baker\(\d+,\d+\): error BK5204: ME 0 runs fw\.parse: \d+ instructions, more than its control store of 360", stderr);
        Assert.Equal("", stdout);
        Assert.Empty(Directory.GetFiles(dir));
        // Spread thinner it still does not fit: every ME over the limit is named.
        File.WriteAllText(Path.Combine(dir, "all.txt"), "fw.parse -> me 2\nfw.cache -> me 2\nfw.policy -> me 2\nfw.wire -> me 2\n");
        (exit, _, stderr) = Bakerc.Run("build", Firewall, "-o", dir, "--machine", machine, "--placement", Path.Combine(dir, "all.txt"));
        Assert.Equal(1, exit);
        Assert.Contains("error BK5204: ME 2 runs fw.parse, fw.cache, fw.policy, fw.wire: ", stderr);
    }

    [Fact]
    public void RunOnChipFollowsThePlacementFile()
    {
        var dir = TempDir();
        var file = Path.Combine(dir, "p.txt");
        File.WriteAllText(file, "fw.parse -> me 4\nfw.cache -> me 4\nfw.policy -> me 7\nfw.wire -> me 4\n");
        var (exit, _, stderr) = Bakerc.Run(["run", Firewall, "--target", "ixp2400", .. Traces, "--out", Path.Combine(dir, "out"), "--placement", file]);
        Assert.True(exit == 0, stderr);
        var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out", "stats.json"))).RootElement;
        Assert.Equal([4, 7], stats.GetProperty("microengines").EnumerateArray().Select(m => m.GetProperty("me").GetInt32()));
        Assert.Equal(0, stats.GetProperty("packets").GetProperty("unaccounted").GetInt64());
        Assert.Equal(File.ReadAllText(file).Replace(" ", ""), string.Concat(File.ReadAllLines(Path.Combine(dir, "out", "placement.txt"))
            .Where(l => !l.StartsWith('#')).Select(l => l.Replace(" ", "") + "\n")));
    }

    [Fact]
    public void RunOnChipTakesMachinePortsAndTrafficOptions()
    {
        var dir = TempDir();
        var (exit, _, stderr) = Bakerc.Run(["run", Firewall, "--target", "ixp2400", .. Traces, "--out", dir, "--ports", "5", "--load", "0.5"]);
        Assert.True(exit == 0, stderr);
        var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "stats.json"))).RootElement;
        Assert.Equal(5, stats.GetProperty("ports").GetArrayLength());
        Assert.Equal("paced", stats.GetProperty("input").GetProperty("timing").GetString());
        Assert.Equal(0.5, stats.GetProperty("input").GetProperty("load").GetDouble());
        Assert.Contains(".equ PORTS = 5", File.ReadAllText(Path.Combine(dir, "firewall.uasm")));
        // Per packet: every ME instruction and memory reference over the packets received.
        var received = stats.GetProperty("packets").GetProperty("received").GetInt64();
        var perPacket = stats.GetProperty("perPacket");
        Assert.Equal(Math.Round((double)stats.GetProperty("instructions").GetInt64() / received, 3), perPacket.GetProperty("instructions").GetDouble());
        var sram = stats.GetProperty("microengines").EnumerateArray().Sum(m => m.GetProperty("memoryReferences").GetProperty("sram").GetInt64());
        Assert.Equal(Math.Round((double)sram / received, 3), perPacket.GetProperty("memoryReferences").GetProperty("sram").GetDouble());

        (exit, _, stderr) = Bakerc.Run(["run", Firewall, "--target", "ixp2400", .. Traces, "--out", dir, "--saturate"]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("\"timing\": \"saturate\"", File.ReadAllText(Path.Combine(dir, "stats.json")));
        Assert.Equal(3, JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "stats.json"))).RootElement.GetProperty("ports").GetArrayLength());
    }

    [Theory]
    [InlineData(2, "run", "--target", "interp", "--machine", "m.json")]
    [InlineData(2, "run", "--load", "0.5")]
    [InlineData(2, "run", "--target", "ixp2400", "--saturate", "--timing", "paced")]
    [InlineData(2, "run", "--target", "ixp2400", "--load", "0.5", "--timing", "trace")]
    [InlineData(2, "run", "--target", "ixp2400", "--load", "1.5")]
    [InlineData(2, "run", "--target", "ixp2400", "--mes", "9")]
    [InlineData(2, "run", "--target", "ixp2400", "--mes", "2", "--placement", "p.txt")]
    [InlineData(1, "run", "--target", "ixp2400", "--ports", "0")]
    [InlineData(1, "run", "--target", "ixp2400", "--machine", "/nonexistent/m.json")]
    [InlineData(2, "build", "--target", "interp")]
    [InlineData(1, "build", "--placement", "/nonexistent/p.txt")]
    public void BadChipOptionsAreRefused(int expectedExit, params string[] args)
    {
        var dir = TempDir();
        string[] common = args[0] == "run" ? [.. Traces, "--out", dir] : ["-o", dir];
        var (exit, _, stderr) = Bakerc.Run([args[0], Firewall, .. common, .. args[1..]]);
        Assert.True(exit == expectedExit, $"exit {exit}: {stderr}");
        Assert.StartsWith(expectedExit == 2 || args.Contains("--ports") || args.Contains("--machine") ? "bakerc: " : "/nonexistent/p.txt(1,1): error BK5306", stderr);
    }

    [Fact]
    public void ATraceForAPortTheChipLacksOrACorruptTraceIsAnInputError()
    {
        var dir = TempDir();
        // The firewall's rules trace on port 3 of a two-port chip.
        var (exit, _, stderr) = Bakerc.Run(["run", Firewall, "--target", "ixp2400", "--ports", "2", "--trace", "3=" + Repo.Path("samples", "firewall", "traces", "rules_p0.pcap"), "--out", dir]);
        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        Assert.Equal("bakerc: error: trace for port 3: the machine has ports 0..1", stderr.Trim());
        var bad = Path.Combine(dir, "bad.pcap");
        File.WriteAllBytes(bad, [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0]);
        (exit, _, stderr) = Bakerc.Run(["run", Firewall, "--target", "ixp2400", "--trace", "0=" + bad, "--out", dir]);
        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        Assert.StartsWith("bakerc: error: ", stderr);
        Assert.Contains("offset", stderr);
    }
}
