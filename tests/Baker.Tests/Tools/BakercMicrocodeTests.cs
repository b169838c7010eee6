using Baker.Runtime.Pcap;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Tools;

/// <summary>bakerc asm / disasm / emu on the hand-written forwarder sample (the emulator's own tests check its semantics).</summary>
public class BakercMicrocodeTests
{
    private static readonly string Sample = Repo.Path("samples", "microcode", "forwarder");

    private static (int Exit, string Out, string Err) Run(params string[] args) => Bakerc.Run(args);

    [Fact]
    public void AsmDisasmAsmGivesTheSameImage()
    {
        var dir = Directory.CreateTempSubdirectory("bakerc-asm").FullName;
        var image = Path.Combine(dir, "fwd.img");
        Assert.Equal(0, Run("asm", Path.Combine(Sample, "ipv4_forwarder.uasm"), "-o", image).Exit);
        var (exit, text, _) = Run("disasm", image);
        Assert.Equal(0, exit);
        var again = Path.Combine(dir, "again.uasm");
        File.WriteAllText(again, text);
        Assert.Equal(0, Run("asm", again, "-o", Path.Combine(dir, "again.img")).Exit);
        Assert.Equal(File.ReadAllBytes(image), File.ReadAllBytes(Path.Combine(dir, "again.img")));
    }

    [Fact]
    public void AsmErrorsAreLocatedAndExitOne()
    {
        var dir = Directory.CreateTempSubdirectory("bakerc-asm").FullName;
        var bad = Path.Combine(dir, "bad.uasm");
        File.WriteAllText(bad, "no_such_instruction r0\n");
        var (exit, _, err) = Run("asm", bad, "-o", Path.Combine(dir, "x.img"));
        Assert.Equal(1, exit);
        Assert.Matches(@"bad\.uasm\(1,\d+\): error BK51\d\d: ", err);
    }

    [Fact]
    public void EmuRunsTheForwarderAndWritesPortsAndStats()
    {
        var dir = Directory.CreateTempSubdirectory("bakerc-emu").FullName;
        var image = Path.Combine(dir, "fwd.img");
        Assert.Equal(0, Run("asm", Path.Combine(Sample, "ipv4_forwarder.uasm"), "-o", image).Exit);
        var outDir = Path.Combine(dir, "out");
        var (exit, summary, err) = Run("emu", image, "--trace", "0=" + Path.Combine(Sample, "in_port0.pcap"), "--out", outDir);
        Assert.True(exit == 0, err);
        Assert.Contains("cycles", summary);
        Assert.True(File.Exists(Path.Combine(outDir, "stats.json")));
        Assert.True(File.Exists(Path.Combine(outDir, "port0.pcap")));
        Assert.Contains("\"syncQuantumCycles\": 0", File.ReadAllText(Path.Combine(outDir, "stats.json")));

        var fast = Path.Combine(dir, "fast");
        (exit, _, err) = Run("emu", image, "--trace", "0=" + Path.Combine(Sample, "in_port0.pcap"), "--out", fast, "--sync-quantum", "100");
        Assert.True(exit == 0, err);
        Assert.Contains("\"syncQuantumCycles\": 100", File.ReadAllText(Path.Combine(fast, "stats.json")));
        (exit, _, err) = Run("emu", image, "--trace", "0=" + Path.Combine(Sample, "in_port0.pcap"), "--out", fast, "--sync-quantum", "-1");
        Assert.Equal(1, exit);
        Assert.Contains("--sync-quantum", err);
    }

    [Fact]
    public void EmuPlaysATraceAtItsTimestampsWhenAsked()
    {
        var dir = Directory.CreateTempSubdirectory("bakerc-emu").FullName;
        var image = Path.Combine(dir, "fwd.img");
        Assert.Equal(0, Run("asm", Path.Combine(Sample, "ipv4_forwarder.uasm"), "-o", image).Exit);
        // Five frames (0.7 ms) of the sample: its whole capture spans 14 ms, seconds of emulated polling by 32 contexts.
        var trace = Path.Combine(dir, "in.pcap");
        using (var w = new PcapWriter(trace))
            foreach (var f in PcapReader.ReadFile(Path.Combine(Sample, "in_port0.pcap")).Take(5)) w.Write(f);
        var outDir = Path.Combine(dir, "out");
        var (exit, _, err) = Run("emu", image, "--trace", trace, "--out", outDir, "--timing", "trace");
        Assert.True(exit == 0, err);
        var stats = File.ReadAllText(Path.Combine(outDir, "stats.json"));
        Assert.Contains("\"timing\": \"trace\"", stats);
        Assert.Contains("\"traceEpochNs\": 1795247668871729000", stats);

        (exit, _, err) = Run("emu", image, "--trace", trace, "--out", outDir, "--timing", "trace", "--load", "0.5");
        Assert.Equal(1, exit);
        Assert.Contains("--load applies to paced timing only", err);
        (exit, _, err) = Run("emu", image, "--trace", trace, "--out", outDir, "--timing", "trace", "--saturate");
        Assert.Equal(1, exit);
        Assert.Contains("--saturate contradicts --timing", err);
    }

    [Fact]
    public void CorruptImageIsAnInputError()
    {
        var dir = Directory.CreateTempSubdirectory("bakerc-asm").FullName;
        var junk = Path.Combine(dir, "junk.img");
        File.WriteAllBytes(junk, [1, 2, 3]);
        var (exit, _, err) = Run("disasm", junk);
        Assert.Equal(1, exit);
        Assert.Contains("error", err);
    }
}
