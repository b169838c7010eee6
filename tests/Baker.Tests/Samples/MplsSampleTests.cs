using System.Globalization;
using System.Text;
using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;

namespace Baker.Tests.Samples;

/// <summary>
/// samples/mpls beyond its expected files (SampleTests checks those): the drop counters account for every
/// packet of random label stacks, the ILM and FTN refuse what they cannot honour and count it, their
/// NHLFE pools are reused across updates, and a FEC change under traffic takes effect on the next packet.
/// </summary>
public class MplsSampleTests
{
    private static string DefaultConfiguration => File.ReadAllText(Path.Combine(SampleRuns.Dir("mpls"), "mpls.ctl"));

    private static RunResult Run(IReadOnlyList<InputFrame> frames, string control)
    {
        var run = new IrInterpreter(SampleRuns.Module("mpls")).Run(frames, ControlScriptParser.Parse(control, "test.ctl"));
        SampleRuns.AssertClean(run);
        return run;
    }

    /// <summary>Every "call = value" line of the control log, by call.</summary>
    private static Dictionary<string, ulong> Values(RunResult run) =>
        run.ControlLog.Select(l => l.Split(" = ")).ToDictionary(p => p[0], p => ulong.Parse(p[1], CultureInfo.InvariantCulture));

    private static ulong Sum(Dictionary<string, ulong> v, string call, params int[] which) =>
        which.Aggregate(0UL, (s, i) => s + v[$"{call}({i})"]);

    // ---- frames ---------------------------------------------------------------------------------

    private static readonly uint[] Labels = [0, 1, 2, 3, 15, 16, 100, 101, 102, 103, 110, 111, 120, 121, 131, 999, 70000, 1048575];

    private static readonly string[] Destinations =
        ["172.16.1.1", "203.0.113.5", "203.0.113.200", "198.51.100.9", "10.0.1.1", "10.0.0.1", "8.8.8.8", "100.64.0.1", "224.0.0.1", "192.168.1.1", "198.18.0.1", "10.0.2.2"];

    private static byte[] Mac(ulong mac) => [.. Enumerable.Range(0, 6).Select(i => (byte)(mac >> (40 - 8 * i)))];

    private static ulong RouterMac(int port) => 0x024c53520000UL | (uint)port;


    /// <summary>An IPv4/UDP packet with a correct header checksum.</summary>
    private static byte[] Udp(string src, string dst, byte ttl, int payload = 18, byte tos = 0)
    {
        var p = new byte[28 + payload];
        p[0] = 0x45;
        p[1] = tos;
        p[2] = (byte)(p.Length >> 8);
        p[3] = (byte)p.Length;
        p[8] = ttl;
        p[9] = 17;
        uint s = SampleRuns.Ipv4(src), d = SampleRuns.Ipv4(dst);
        for (int i = 0; i < 4; i++)
        {
            p[12 + i] = (byte)(s >> (24 - 8 * i));
            p[16 + i] = (byte)(d >> (24 - 8 * i));
        }
        uint sum = 0;
        for (int i = 0; i < 20; i += 2) sum += (uint)(p[i] << 8 | p[i + 1]);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        p[10] = (byte)(~sum >> 8);
        p[11] = (byte)~sum;
        p[20] = 0x0F; p[21] = 0xA0; p[22] = 0x13; p[23] = 0x88;    // ports 4000 -> 5000, no UDP checksum
        p[24] = (byte)((8 + payload) >> 8);
        p[25] = (byte)(8 + payload);
        return p;
    }

    private static byte[] Ethernet(int port, ushort type, byte[] payload, ulong? dst = null)
    {
        var f = new List<byte>(Mac(dst ?? RouterMac(port)));
        f.AddRange(Mac(0x02000a000002UL | ((ulong)port << 8)));
        f.Add((byte)(type >> 8));
        f.Add((byte)type);
        f.AddRange(payload);
        while (f.Count < 60) f.Add(0);
        return [.. f];
    }

    /// <summary>Frames to the router (mostly MPLS) with label stacks of 0..10 entries drawn from bound, unbound
    /// and reserved labels, random S bits and TTLs near expiry, over IPv4, IPv6-like or random payloads,
    /// some cut short anywhere.</summary>
    private static List<InputFrame> RandomFrames(int count, int seed)
    {
        var r = new Random(seed);
        var frames = new List<InputFrame>();
        byte[] ttls = [0, 1, 2, 64, 255];
        for (int n = 0; n < count; n++)
        {
            int port = r.Next(4);
            var body = new List<byte>();
            int kind = r.Next(10);
            ushort type = kind < 7 ? (ushort)0x8847 : kind < 9 ? (ushort)0x0800 : (ushort)0x0806;
            if (type == 0x8847)
            {
                int depth = r.Next(11);
                bool nulls = r.Next(50) == 0;                   // a long run of explicit nulls: too deep to pop
                for (int i = 0; i < depth; i++)
                {
                    uint label = nulls ? 0 : Labels[r.Next(Labels.Length)];
                    uint s = i == depth - 1 || r.Next(8) == 0 ? 1u : 0u;
                    uint word = label << 12 | (uint)r.Next(8) << 9 | s << 8 | ttls[r.Next(ttls.Length)];
                    body.AddRange([(byte)(word >> 24), (byte)(word >> 16), (byte)(word >> 8), (byte)word]);
                }
            }
            switch (r.Next(3))
            {
                case 0:
                    body.AddRange(Udp("192.168.1.10", Destinations[r.Next(Destinations.Length)], ttls[r.Next(ttls.Length)], r.Next(40), (byte)r.Next(256)));
                    break;
                case 1:
                    body.AddRange([0x60, 0, 0, 0, 0, 8, 17, 64]);
                    break;
                default:
                    var junk = new byte[r.Next(60)];
                    r.NextBytes(junk);
                    body.AddRange(junk);
                    break;
            }
            var frame = Ethernet(port, type, [.. body], r.Next(20) == 0 ? 0x02000a000099UL : null);
            if (r.Next(5) == 0) frame = frame[..r.Next(frame.Length + 1)];
            frames.Add(new InputFrame(1_700_000_000_000_000_000L + n * 1_000_000L, port, frame, frame.Length, "random"));
        }
        return frames;
    }

    // ---- tests ----------------------------------------------------------------------------------

    [Fact]
    public void RandomLabelStacksNeverFaultAndTheCountersAccountForEveryPacket()
    {
        var frames = RandomFrames(20_000, 3443);
        var run = Run(frames, DefaultConfiguration);
        var v = Values(run);
        ulong counted = v["l2.l2_count(3)"] + Sum(v, "arp.arp_count", 3, 4) + Sum(v, "discard.not_routed_count", 0, 1)
            + v["dispatch.dispatch_count(2)"] + Sum(v, "lsr.ilm.label_count", 4, 5, 6, 7, 8, 9, 10)
            + Sum(v, "lsr.ip_in.ip_in_count", 4, 5, 6, 7) + v["lsr.options.options_count(1)"]
            + Sum(v, "lsr.icmp.icmp_count", 1, 2, 3, 4)    // an ICMP error replaces (drops) the packet it is about
            + v["lsr.lpm.lookup_count(2)"] + v["lsr.encap.encap_count(1)"];
        Assert.Equal((ulong)run.Dropped["program"], counted);
        Assert.Equal((ulong)run.Transmitted, v["arp.arp_count(0)"] + v["lsr.encap.encap_count(0)"] + v["lsr.encap.encap_count(2)"]);
        // Every MPLS frame to the router ends in exactly one ILM counter; every IPv4 packet in one of ip_in's.
        Assert.Equal(v["dispatch.dispatch_count(1)"], Sum(v, "lsr.ilm.label_count", [.. Enumerable.Range(0, 11)]));
        Assert.Equal(v["dispatch.dispatch_count(0)"] + v["lsr.ilm.label_count(3)"], Sum(v, "lsr.ip_in.ip_in_count", [.. Enumerable.Range(0, 8)]));
        // The random stacks reach every ILM outcome.
        Assert.All(Enumerable.Range(0, 11), i => Assert.True(v[$"lsr.ilm.label_count({i})"] > 0, $"label_count({i}) is 0"));
    }

    [Fact]
    public void ControlCallsThatCannotBeHonouredAreRefusedAndCounted()
    {
        var run = Run([], """
            lsr.ilm.swap(15, 200, 1, 10.0.1.2)
            lsr.ilm.swap(65536, 200, 1, 10.0.1.2)
            lsr.ilm.swap(100, 3, 1, 10.0.1.2)
            lsr.ilm.swap2(100, 1048576, 200, 1, 10.0.1.2)
            lsr.ilm.pop(100, 16, 10.0.1.2)
            lsr.ilm.swap3(100, 2102, 3102, 0, 2, 10.0.2.2)
            lsr.ilm.pop_lookup(120)
            lsr.ftn.push(203.0.113.0, 33, 1001, 1, 10.0.1.2)
            lsr.ftn.push2(203.0.113.0, 24, 1, 1001, 1, 10.0.1.2)
            lsr.ftn.push(203.0.113.0, 24, 1001, 200, 10.0.1.2)
            lsr.ftn.push(203.0.113.7, 24, 1001, 1, 10.0.1.2)
            @end lsr.ilm.config_errors()
            @end lsr.ilm.labels_bound()
            @end lsr.ilm.action(100)
            @end lsr.ilm.action(120)
            @end lsr.ilm.action(15)
            @end lsr.ftn.config_errors()
            @end lsr.ftn.fecs_bound()
            @end lsr.ftn.fec_label(203.0.113.255)
            """);
        Assert.Equal(
        [
            "lsr.ilm.config_errors() = 5", "lsr.ilm.labels_bound() = 2", "lsr.ilm.action(100) = 1", "lsr.ilm.action(120) = 3",
            "lsr.ilm.action(15) = 0", "lsr.ftn.config_errors() = 3", "lsr.ftn.fecs_bound() = 1", "lsr.ftn.fec_label(203.0.113.255) = 1001",
        ], run.ControlLog);
    }

    [Fact]
    public void UpdatesReuseTheirNhlfeAndAFullPoolRefusesOnlyNewEntries()
    {
        var script = new StringBuilder();
        for (int i = 0; i < 5000; i++)
        {
            script.AppendLine(i % 2 == 0 ? "lsr.ilm.swap3(100, 2102, 3102, 202, 2, 10.0.2.2)" : "lsr.ilm.pop(100, 3, 10.0.3.2)");
            script.AppendLine(i % 2 == 0 ? "lsr.ftn.push3(203.0.113.0, 24, 2002, 4002, 6002, 2, 10.0.2.2)" : "lsr.ftn.push(203.0.113.0, 24, 1001, 1, 10.0.1.2)");
        }
        script.AppendLine("lsr.ilm.config_errors()\nlsr.ilm.action(100)\nlsr.ftn.config_errors()\nlsr.ftn.fec_label(203.0.113.1)");
        // 4095 NHLFEs per table (index 0 means none): label 100 holds one, so 4094 more fit.
        for (int label = 1000; label < 1000 + 4095; label++) script.AppendLine($"lsr.ilm.swap({label}, 200, 1, 10.0.1.2)");
        script.AppendLine("lsr.ilm.labels_bound()\nlsr.ilm.config_errors()");
        script.AppendLine("lsr.ilm.remove(1000)\nlsr.ilm.swap(5094, 200, 1, 10.0.1.2)\nlsr.ilm.labels_bound()\nlsr.ilm.config_errors()\nlsr.ilm.action(1000)\nlsr.ilm.action(5094)");
        var run = Run([], script.ToString());
        Assert.Equal(
        [
            "lsr.ilm.config_errors() = 0", "lsr.ilm.action(100) = 2", "lsr.ftn.config_errors() = 0", "lsr.ftn.fec_label(203.0.113.1) = 1001",
            "lsr.ilm.labels_bound() = 4095", "lsr.ilm.config_errors() = 1",
            "lsr.ilm.labels_bound() = 4095", "lsr.ilm.config_errors() = 1", "lsr.ilm.action(1000) = 0", "lsr.ilm.action(5094) = 1",
        ], run.ControlLog);
    }

    [Fact]
    public void FecChangesUnderTrafficTakeEffectOnTheNextPacket()
    {
        // The same packet every 2 ms; between them the /25 FEC goes, then the /24, then the /24 comes back on port 2.
        var frames = Enumerable.Range(0, 4).Select(i => new InputFrame(1_700_000_000_000_000_000L + i * 2_000_000L, 0,
            Ethernet(0, 0x0800, Udp("192.168.1.10", "203.0.113.200", 64)), 60, "fec")).ToList();
        var run = Run(frames, DefaultConfiguration + """

            @1ms lsr.ftn.remove(203.0.113.128, 25)
            @3ms lsr.ftn.remove(203.0.113.0, 24)
            @5ms lsr.ftn.push(203.0.113.0, 24, 1999, 2, 10.0.2.2)
            @5ms lsr.ftn.fecs_bound()
            """);
        var sent = run.Outputs.Select(o => (o.Port, Type: o.Data[12] << 8 | o.Data[13], Label: (o.Data[14] << 12 | o.Data[15] << 4 | o.Data[16] >> 4))).ToList();
        Assert.Equal(4, sent.Count);
        Assert.Equal((2, 0x8847, 2001), sent[0]);             // 2001/5001 from the /25
        Assert.Equal((1, 0x8847, 1001), sent[1]);             // the /24
        Assert.Equal(0, sent[2].Port);                        // no FEC and no route: ICMP unreachable back to the sender
        Assert.Equal(0x0800, sent[2].Type);
        Assert.Equal(3, run.Outputs[2].Data[14 + 20]);
        Assert.Equal((2, 0x8847, 1999), sent[3]);
        Assert.Contains("lsr.ftn.fecs_bound() = 3", run.ControlLog);
    }
}
