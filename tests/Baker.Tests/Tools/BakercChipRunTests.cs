using System.Text.Json;
using Baker.Runtime.Pcap;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Tools;

/// <summary>
/// How <c>bakerc run --target ixp2400</c> ends: the exit code and message when packets are left in the chip,
/// and the time of day on the frames it writes.
/// </summary>
public class BakercChipRunTests
{
    // A capture time in 2026 (ns), so the output's stamps are checked as times of day, not as offsets.
    private const long Epoch = 1_780_000_000_123_456_789;

    private static string TempDir() => Directory.CreateTempSubdirectory("bakerc-chiprun").FullName;

    /// <summary>A pcap of 60-byte frames to 02:00:00:00:00:02, frame k at <paramref name="stamps"/>[k] with k in byte 15 (byte 14: 0).</summary>
    private static string Trace(string dir, params long[] stamps)
    {
        var path = Path.Combine(dir, "in.pcap");
        using var w = new PcapWriter(path);
        for (var k = 0; k < stamps.Length; k++)
        {
            var frame = new byte[60];
            Convert.FromHexString("020000000002020000000001" + "88b5").CopyTo(frame, 0);
            frame[15] = (byte)k;
            w.Write(stamps[k], frame, frame.Length);
        }
        return path;
    }

    /// <summary>Runs bakerc; a run that does not end within the limit fails the test instead of hanging the suite.</summary>
    private static async Task<(int Exit, string Out, string Err)> RunBounded(params string[] args)
    {
        var run = Task.Run(() => Bakerc.Run(args));
        var first = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(3)));
        Assert.True(first == run, $"bakerc {string.Join(' ', args)} did not end within 3 minutes");
        return await run;
    }

    [Fact]
    public async Task PacketsThatCanNeverLeaveFailTheRunAndAreReported()
    {
        // tests/backend/apps/never_leaves.baker sends every packet back to its own input: the run must end once
        // the ports have been quiet for the drain time (2 M cycles), not at the 60e9-cycle limit, with the three
        // packets in flight, and exit 1 saying so.
        var dir = TempDir();
        var trace = Trace(dir, Epoch, Epoch + 1_000, Epoch + 2_000);
        var app = Repo.Path("tests", "backend", "apps", "never_leaves.baker");
        var (exit, stdout, stderr) = await RunBounded("run", app, "--target", "ixp2400", "--trace", "0=" + trace, "--out", Path.Combine(dir, "out"));
        Assert.Equal(1, exit);
        // That is all it has to say (the run stops in the middle of the carousel's counter update: its guard is
        // held, which must not read as anything else).
        Assert.Equal(["bakerc: the run ended with 3 packets still in the chip (a deadlock, or a packet that never leaves)"],
            stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("rx 3, tx 0, dropped 0, in flight 3", stdout);
        Assert.DoesNotContain("UNACCOUNTED", stdout);
        var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out", "stats.json"))).RootElement;
        Assert.Equal(3, stats.GetProperty("packets").GetProperty("inFlight").GetInt64());
        // The last frame is in after about 2,000 cycles; the quiet time is 2,000,000.
        Assert.InRange(stats.GetProperty("cycles").GetInt64(), 2_000_000, 2_100_000);
    }

    [Fact]
    public async Task OutputFramesCarryTheTraceTimeOfDay()
    {
        // tests/backend/apps/order.baker forwards each frame unchanged to port 1. The interpreter stamps an output
        // frame with its input's timestamp; the chip with the epoch + the emulated time it started to leave: never
        // before the frame has fully arrived (60 bytes + FCS + preamble and gap: 672 ns at 1 Gbit/s), and after a
        // forwarding delay of a few microseconds at most.
        var dir = TempDir();
        long[] stamps = [Epoch, Epoch + 10_000, Epoch + 20_000, Epoch + 1_000_000, Epoch + 1_000_700];
        var trace = Trace(dir, stamps);
        var app = Repo.Path("tests", "backend", "apps", "order.baker");
        var chip = await RunBounded("run", app, "--target", "ixp2400", "--trace", "0=" + trace, "--out", Path.Combine(dir, "chip"));
        Assert.True(chip.Exit == 0, chip.Err);
        var interp = Bakerc.Run("run", app, "--trace", "0=" + trace, "--out", Path.Combine(dir, "interp"));
        Assert.True(interp.Exit == 0, interp.Err);

        var sent = PcapReader.ReadFile(Path.Combine(dir, "chip", "port1.pcap"));
        var reference = PcapReader.ReadFile(Path.Combine(dir, "interp", "port1.pcap")).ToDictionary(f => f.Data[15], f => f.TimestampNs);
        Assert.Equal(stamps.Length, sent.Count);
        Assert.Equal(stamps, reference.OrderBy(r => r.Key).Select(r => r.Value));
        foreach (var f in sent)
        {
            var k = f.Data[15];
            Assert.InRange(f.TimestampNs - reference[k], 672, 10_000);
        }
    }
}
