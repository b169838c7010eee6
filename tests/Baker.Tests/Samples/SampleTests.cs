using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;
using Baker.Runtime.Pcap;
using Baker.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Baker.Tests.Samples;

/// <summary>
/// The sample apps against their independent models: every samples/NAME/expected/*.txt (written by the
/// sample's model.py, never by our interpreter) is run on the reference interpreter and compared frame by
/// frame, with tshark validating the checksums of what the app sent. Every sample also runs the real
/// captures in ../shared/data/pcaps and its 64-byte saturation trace without a fault. Layout and file
/// format: samples/README.md.
/// </summary>
public class SampleTests(ITestOutputHelper output)
{
    public static readonly string[] Names = ["l3_switch", "firewall", "mpls", "nat"];

    public static TheoryData<string> ExpectedFiles()
    {
        var data = new TheoryData<string>();
        foreach (var name in Names)
        {
            var dir = Path.Combine(SampleRuns.Dir(name), "expected");
            if (!Directory.Exists(dir)) continue;
            foreach (var f in Directory.GetFiles(dir, "*.txt").Order(StringComparer.Ordinal))
                if (File.ReadLines(f).Any(l => l.StartsWith("run:", StringComparison.Ordinal))) data.Add($"{name}/{Path.GetFileName(f)}");
        }
        return data;
    }

    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var n in Names) data.Add(n);
        return data;
    }

    [Theory]
    [MemberData(nameof(ExpectedFiles))]
    public void MatchesTheModel(string file)
    {
        var sample = file.Split('/')[0];
        var expected = SampleRuns.Expected.Parse(Path.Combine(SampleRuns.Dir(sample), "expected", file.Split('/')[1]));
        // Runs over the real captures in ../shared need that folder (CI always has it).
        var missing = expected.Traces.Select(t => t.Contains('=') ? t[(t.IndexOf('=') + 1)..] : t).FirstOrDefault(t => !File.Exists(t));
        if (missing is not null && Repo.Shared is null)
        {
            output.WriteLine($"SKIP {file}: it runs {missing}, and ../shared is absent");
            return;
        }
        var (run, outDir) = SampleRuns.Run(sample, expected.Traces, expected.Control);
        SampleRuns.AssertClean(run);

        var ports = Directory.GetFiles(outDir, "port*.pcap")
            .ToDictionary(f => int.Parse(Path.GetFileNameWithoutExtension(f)["port".Length..]), f => PcapReader.ReadFile(f).Select(x => Convert.ToHexString(x.Data).ToLowerInvariant()).ToList());
        foreach (var port in expected.Out.Keys.Union(ports.Keys).Order())
        {
            var want = expected.Out.GetValueOrDefault(port) ?? [];
            var got = ports.GetValueOrDefault(port) ?? [];
            for (int i = 0; i < Math.Max(want.Count, got.Count); i++)
            {
                string w = i < want.Count ? want[i] : "(nothing)", g = i < got.Count ? got[i] : "(nothing)";
                Assert.True(w == g, $"port {port} frame {i + 1} of {want.Count} expected:\n  model: {w}\n  app:   {g}");
            }
        }
        if (expected.Dropped is { } dropped) Assert.Equal(dropped, run.Dropped.GetValueOrDefault("program"));
        if (expected.ControlLog is { } log) Assert.Equal(log, run.ControlLog);

        if (expected.TsharkOff is { } why) output.WriteLine($"tshark off for {file}: {why}");
        else if (Tshark.Executable is null) output.WriteLine(Tshark.SkipMessage);
        else
            foreach (var pcap in Directory.GetFiles(outDir, "port*.pcap"))
            {
                var bad = Tshark.BadChecksums(pcap);
                Assert.True(bad.Count == 0, $"{Path.GetFileName(pcap)}: bad checksums: {string.Join("; ", bad.Take(5))}");
            }
        Directory.Delete(outDir, true);
    }

    public static TheoryData<string, string> RealCaptures()
    {
        var data = new TheoryData<string, string>();
        var dir = Repo.Shared is { } shared ? Path.Combine(shared, "data", "pcaps") : null;
        var captures = dir is not null && Directory.Exists(dir) ? Directory.GetFiles(dir, "*.pcap").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList() : [];
        foreach (var name in Names)
            foreach (var c in captures) data.Add(name, c!);
        if (captures.Count == 0) foreach (var name in Names) data.Add(name, "");
        return data;
    }

    [Theory]
    [MemberData(nameof(RealCaptures))]
    public void RunsARealCaptureWithEveryPacketAccountedFor(string sample, string capture)
    {
        if (capture.Length == 0)
        {
            output.WriteLine("SKIP real captures: ../shared/data/pcaps is absent");
            return;
        }
        var path = Path.Combine(Repo.Shared!, "data", "pcaps", capture);
        var frames = PcapReader.ReadFile(path).Count;
        foreach (int port in new[] { 0, 1 })
        {
            var (run, outDir) = SampleRuns.Run(sample, [$"{port}={path}"], Path.Combine(SampleRuns.Dir(sample), sample + ".ctl"));
            SampleRuns.AssertClean(run);
            Assert.Equal(frames, run.PacketsIn);
            Directory.Delete(outDir, true);
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void HasTheLayoutAndASaturationTrace(string sample)
    {
        foreach (var f in new[] { sample + ".baker", sample + ".ctl", "README.md", "gen_traces.py", "model.py" })
            Assert.True(File.Exists(Path.Combine(SampleRuns.Dir(sample), f)), $"samples/{sample}/{f} is missing");
        Assert.True(ExpectedFiles().Cast<object[]>().Any(row => ((string)row[0]).StartsWith(sample + "/", StringComparison.Ordinal)), $"samples/{sample}/expected has no expected-results file");

        var sat = Path.Combine(SampleRuns.Dir(sample), "traces", "sat64.pcap");
        var frames = PcapReader.ReadFile(sat);
        Assert.True(frames.Count >= 1000, $"sat64.pcap has {frames.Count} frames");
        // 64-byte frames: 60 captured bytes plus the FCS on the wire, or captured with the FCS.
        Assert.All(frames, f => Assert.True(f.Data.Length is 60 or 64, $"a {f.Data.Length}-byte frame in sat64.pcap"));
        var (run, outDir) = SampleRuns.Run(sample, [$"0={sat}"], Path.Combine(SampleRuns.Dir(sample), sample + ".ctl"));
        SampleRuns.AssertClean(run);
        Directory.Delete(outDir, true);
    }
}
