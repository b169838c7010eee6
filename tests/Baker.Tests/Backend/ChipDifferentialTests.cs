using System.Text.Json;
using Baker.Compiler.Driver;
using Baker.Runtime.Pcap;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>
/// Apps compiled to microcode and run on the emulated chip against the reference interpreter: per output
/// port the same multiset of frames, in the same order within each flow, and the same drops by reason
/// (issue 6's differential check).
/// </summary>
public class ChipDifferentialTests
{
    public static TheoryData<string, string[], string?> Cases => new()
    {
        { "samples/firewall/firewall.baker", ["0=samples/firewall/traces/rules_p0.pcap", "1=samples/firewall/traces/rules_p1.pcap"], "samples/firewall/firewall.ctl" },
        { "samples/firewall/firewall.baker", ["0=samples/firewall/traces/malformed.pcap"], "samples/firewall/firewall.ctl" },
        { "tests/interp/apps/fields.baker", ["0=samples/firewall/traces/rules_p0.pcap"], null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ChipAgreesWithTheInterpreter(string app, string[] traces, string? control) =>
        Compare(new RunRequest([Repo.Path(app)], traces.Select(t => t[..2] + Repo.Path(t[2..])).ToList(),
            control is null ? null : Repo.Path(control), new CompileOptions()), new ChipRunOptions());

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

    private static void Compare(RunRequest request, ChipRunOptions options)
    {
        var reference = InterpreterRun.Execute(request).Run!;
        var dir = Path.Combine(Path.GetTempPath(), "baker-chip-" + Guid.NewGuid().ToString("N"));
        try
        {
            var chip = ChipRun.Execute(request, options, dir);
            Assert.True(chip.Errors.Count == 0, string.Join("\n", chip.Errors));
            var summary = chip.Summary!;
            Assert.Equal(0, summary.Unaccounted);
            Assert.Equal(0, summary.InFlight);
            foreach (var port in reference.Outputs.Select(o => o.Port).Concat([0, 1, 2]).Distinct())
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
            var drops = JsonDocument.Parse(summary.StatsJson).RootElement.GetProperty("packets").GetProperty("drops")
                .EnumerateObject().Where(p => p.Value.GetInt64() > 0).ToDictionary(p => p.Name, p => p.Value.GetInt64());
            Assert.Equal(reference.Dropped.OrderBy(d => d.Key), drops.OrderBy(d => d.Key));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    /// <summary>A frame's flow: for IPv4 the protocol, addresses and (TCP, UDP) ports; otherwise its ethertype and source MAC.</summary>
    internal static string Flow(byte[] f)
    {
        if (f.Length < 14) return "runt";
        var type = f[12] << 8 | f[13];
        if (type != 0x0800 || f.Length < 34) return $"{type:x4} {Convert.ToHexString(f, 6, 6)}";
        var ihl = (f[14] & 15) * 4;
        var proto = f[23];
        var ports = (proto is 6 or 17) && f.Length >= 14 + ihl + 4 ? Convert.ToHexString(f, 14 + ihl, 4) : "";
        return $"ip {proto} {Convert.ToHexString(f, 26, 8)} {ports}";
    }
}
