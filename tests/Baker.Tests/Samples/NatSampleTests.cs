using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;
using Baker.Runtime.Pcap;
using Baker.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Baker.Tests.Samples;

/// <summary>
/// samples/nat beyond its expected files (which SampleTests checks against the model): random frames from both
/// sides never fault and every drop is counted under some reason; the real captures, re-addressed to the router,
/// are translated with valid checksums; a full connection table refuses, counts and recovers; bad configuration
/// calls are refused; the data path fits the SRAM.
/// </summary>
public class NatSampleTests(ITestOutputHelper output)
{
    private const int Conns = 16384;                 // CONNS in samples/nat/napt.baker
    private static readonly byte[] LanMac = [0x02, 0, 0, 0, 0, 0x01], WanMac = [0x02, 0, 0, 0, 0, 0x02];
    private static readonly uint Public = SampleRuns.Ipv4("203.0.113.2");

    private static string DefaultControl => File.ReadAllText(Path.Combine(SampleRuns.Dir("nat"), "nat.ctl"));


    private static RunResult Run(IReadOnlyList<InputFrame> frames, string control)
    {
        var run = new IrInterpreter(SampleRuns.Module("nat")).Run(frames, ControlScriptParser.Parse(control, "nat-test.ctl"));
        SampleRuns.AssertClean(run);
        Assert.Equal(frames.Count, run.PacketsIn);
        return run;
    }

    /// <summary>The value a control call logged (the last time it ran).</summary>
    private static ulong Logged(RunResult run, string call)
    {
        var line = run.ControlLog.LastOrDefault(l => l.StartsWith(call + " = ", StringComparison.Ordinal));
        Assert.True(line is not null, $"control.log has no '{call}'");
        return ulong.Parse(line![(call.Length + 3)..], CultureInfo.InvariantCulture);
    }

    /// <summary>Every counter of a dropped packet, by PPF; their sum must be the program's drop count.</summary>
    private static readonly string[] DropCounters =
    [
        "l2.l2_count(3)", "arp.arp_count(3)", "arp.arp_count(4)", "unrouted.unrouted_drops(0)", "unrouted.unrouted_drops(1)",
        "router.ip_in.ip_in_count(4)", "router.ip_in.ip_in_count(5)", "router.ip_in.ip_in_count(6)", "router.ip_in.ip_in_count(7)",
        "router.options.options_count(1)", "router.nat.steer.steer_count(3)", "router.nat.egress.egress_count(2)", "router.nat.egress.egress_count(3)",
        "router.nat.parse_in.parse_drops(0)", "router.nat.parse_in.parse_drops(1)", "router.nat.parse_in.parse_drops(2)", "router.nat.parse_in.parse_drops(3)",
        "router.nat.parse_out.parse_drops(0)", "router.nat.parse_out.parse_drops(1)", "router.nat.parse_out.parse_drops(2)", "router.nat.parse_out.parse_drops(3)",
        "router.nat.napt.nat_drops(0)", "router.nat.napt.nat_drops(1)", "router.nat.napt.nat_drops(2)", "router.nat.napt.nat_drops(3)",
        // icmp_gen drops the packet an error is about (1 time exceeded, 2 unreachable) and what it will not answer (3, 4).
        "router.icmp.icmp_count(1)", "router.icmp.icmp_count(2)", "router.icmp.icmp_count(3)", "router.icmp.icmp_count(4)",
        "router.lpm.lookup_count(2)", "router.encap.encap_count(1)",
    ];

    private static string WithDropQueries(string control) =>
        control + "\n" + string.Concat(DropCounters.Select(c => $"@end {c}\n")) + "@end router.nat.napt.nat_count(1)\n@end router.nat.napt.nat_count(2)\n@end router.nat.napt.nat_count(3)\n@end router.nat.napt.nat_count(4)\n";

    private void AssertEveryDropCounted(RunResult run)
    {
        var counted = DropCounters.Select(c => (Call: c, Value: Logged(run, c))).ToList();
        output.WriteLine(string.Join(", ", counted.Where(c => c.Value != 0).Select(c => $"{c.Call} = {c.Value}")));
        Assert.Equal(run.Dropped.GetValueOrDefault("program"), counted.Sum(c => (long)c.Value));
    }

    // ---- frames -----------------------------------------------------------------------------------

    private static ushort Fold(uint sum)
    {
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    private static uint Sum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (data.Length % 2 == 1) sum += (uint)data[^1] << 8;
        return sum;
    }

    /// <summary>Ethernet (to dst from 02:00:00:00:09:09) + IPv4 (IHL 5, TTL 64) + l4, every checksum right.</summary>
    private static byte[] Frame(byte[] dst, uint src, uint dstIp, byte proto, byte[] l4, byte ttl = 64)
    {
        var frame = new byte[14 + 20 + l4.Length];
        dst.CopyTo(frame, 0);
        byte[] mac = [0x02, 0, 0, 0, 0x09, 0x09];
        mac.CopyTo(frame, 6);
        frame[12] = 0x08;
        var ip = frame.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + l4.Length));
        ip[8] = ttl;
        ip[9] = proto;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], src);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], dstIp);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~Fold(Sum(ip[..20])));
        l4.CopyTo(ip[20..]);
        int at = proto switch { 6 => 16, 17 => 6, 1 => 2, _ => -1 };
        if (at >= 0 && l4.Length >= at + 2)
        {
            var seg = ip[20..];
            seg[at] = seg[at + 1] = 0;
            uint pseudo = proto == 1 ? 0 : Sum(ip[12..20]) + proto + (uint)l4.Length;
            var sum = (ushort)~Fold(pseudo + Sum(seg));
            BinaryPrimitives.WriteUInt16BigEndian(seg[at..], sum == 0 && proto == 17 ? (ushort)0xFFFF : sum);
        }
        return frame;
    }

    private static byte[] Udp(ushort sport, ushort dport, int payload)
    {
        var l4 = new byte[8 + payload];
        BinaryPrimitives.WriteUInt16BigEndian(l4, sport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(4), (ushort)l4.Length);
        return l4;
    }

    private static byte[] Tcp(ushort sport, ushort dport, byte flags)
    {
        var l4 = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(l4, sport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), dport);
        l4[12] = 0x50;
        l4[13] = flags;
        return l4;
    }

    // ---- tests ------------------------------------------------------------------------------------

    /// <summary>
    /// 30,000 frames from both sides, drawn from small sets of hosts, servers and ports so that connections are
    /// opened, found, shared and left to expire: TCP, UDP, echo and ICMP errors quoting random datagrams, with random
    /// flags, lengths cut anywhere, random IHLs and fragments, ARP, other protocols and ports without interfaces.
    /// The app never faults and each dropped packet shows up in exactly one drop counter.
    /// </summary>
    [Fact]
    public void RandomFramesFromBothSidesNeverFaultAndEveryDropIsCounted()
    {
        var random = new Random(2024);
        string[] hosts = ["192.168.1.10", "192.168.1.11", "192.168.1.12"], servers = ["198.51.100.1", "198.51.100.2", "203.0.113.1"];
        ushort[] serverPorts = [53, 80, 0];
        var frames = new List<InputFrame>();
        long t = 1_700_000_000_000_000_000;
        foreach (var h in hosts)   // the router learns the hosts: replies can reach them
        {
            var arp = new byte[42];
            new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0x01, 0x10, 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0x01, 0x10 }.CopyTo(arp, 0);
            BinaryPrimitives.WriteUInt32BigEndian(arp.AsSpan(28), SampleRuns.Ipv4(h));
            BinaryPrimitives.WriteUInt32BigEndian(arp.AsSpan(38), SampleRuns.Ipv4("192.168.1.1"));
            frames.Add(new InputFrame(t += 1000, 0, arp, arp.Length, "arp"));
        }
        for (int i = 0; i < 30_000; i++)
        {
            bool inbound = random.Next(2) == 1;
            byte proto = random.Next(10) switch { < 4 => 6, < 7 => 17, < 9 => 1, _ => (byte)random.Next(256) };
            // Now and then an inside host spoofs an outside source: replies to it must not be reflected.
            uint host = SampleRuns.Ipv4(random.Next(30) == 0 ? "198.51.100.77" : hosts[random.Next(hosts.Length)]), server = SampleRuns.Ipv4(servers[random.Next(servers.Length)]);
            ushort privatePort = (ushort)random.Next(1000, 1004), serverPort = serverPorts[random.Next(serverPorts.Length)];
            ushort publicPort = (ushort)random.Next(1024, 1040);
            byte[] l4 = proto switch
            {
                6 => Tcp(inbound ? serverPort : privatePort, inbound ? publicPort : serverPort, (byte)random.Next(256)),
                17 => Udp(inbound ? serverPort : privatePort, inbound ? publicPort : serverPort, random.Next(0, 20)),
                1 => Icmp(random, inbound, host, server, privatePort, serverPort, publicPort),
                _ => RandomBytes(random, random.Next(0, 30)),
            };
            byte ttl = (byte)(random.Next(10) == 0 ? random.Next(0, 3) : 64);
            var data = inbound
                ? Frame(WanMac, server, random.Next(10) == 0 ? host : Public, proto, l4, ttl)
                : Frame(LanMac, host, random.Next(10) == 0 ? Public : server, proto, l4, ttl);
            if (random.Next(4) == 0) Mangle(random, data);
            int port = random.Next(20) == 0 ? 2 : inbound ? 1 : 0;
            // A gap now and then lets connections expire (ICMP after 60 s, UDP after 300 s).
            t += random.Next(200) == 0 ? 70_000_000_000L : 1_000_000L;
            frames.Add(new InputFrame(t, port, data, data.Length, "random"));
        }
        // 8 public ports (the inbound frames aim at 16): the round robin wraps, ports are shared and run out.
        var run = Run(frames, WithDropQueries(DefaultControl.Replace("set_port_range(1024, 65535)", "set_port_range(1024, 1031)")));
        output.WriteLine(InterpreterRun.Summary(run));
        AssertEveryDropCounted(run);
        Assert.True(Logged(run, "router.nat.napt.nat_count(1)") > 1000, "many packets are translated outbound");
        Assert.True(Logged(run, "router.nat.napt.nat_count(2)") > 100, "replies find their connections");
        Assert.True(Logged(run, "router.nat.napt.nat_count(3)") > 0, "some ICMP errors quote a live connection");
        Assert.True(Logged(run, "router.nat.napt.nat_count(4)") > 0, "connections expire");
        Assert.True(Logged(run, "router.nat.egress.egress_count(2)") > 0, "replies to spoofed sources are not reflected");
        Assert.True(Logged(run, "router.nat.napt.nat_drops(1)") > 0, "ports run out");
    }

    private static byte[] RandomBytes(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return b;
    }

    /// <summary>An echo request (outbound) or reply (inbound), an ICMP error quoting the datagram of a connection, or junk.</summary>
    private static byte[] Icmp(Random random, bool inbound, uint host, uint server, ushort privatePort, ushort serverPort, ushort publicPort)
    {
        switch (random.Next(4))
        {
            case 0:
            case 1:
                var echo = RandomBytes(random, 8 + random.Next(0, 16));
                echo[0] = (byte)(inbound ? 0 : 8);
                echo[1] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(echo.AsSpan(4), inbound ? publicPort : privatePort);
                return echo;
            case 2:
                // The quoted datagram went the other way: from the public address (inbound errors) or to the host.
                byte qproto = random.Next(3) switch { 0 => 6, 1 => 17, _ => 1 };
                var quoted = Frame(LanMac, inbound ? Public : server, inbound ? server : host, qproto,
                    qproto == 1 ? [8, 0, 0, 0, (byte)(publicPort >> 8), (byte)publicPort, 0, 1]
                                : Udp(inbound ? publicPort : serverPort, inbound ? serverPort : privatePort, 4))[14..];
                var error = new byte[8 + Math.Min(quoted.Length, random.Next(0, 48))];
                error[0] = (byte)(random.Next(3) switch { 0 => 3, 1 => 11, _ => 12 });
                quoted.AsSpan(0, error.Length - 8).CopyTo(error.AsSpan(8));
                if (error.Length > 8 && random.Next(5) == 0) error[8] = (byte)random.Next(256);    // a quoted header that is not IPv4/IHL 5
                return error;
            default:
                return RandomBytes(random, random.Next(0, 40));
        }
    }

    /// <summary>Breaks a frame: cuts it short, changes the IHL, the total length, the fragment bits or the EtherType.</summary>
    private static void Mangle(Random random, byte[] data)
    {
        switch (random.Next(5))
        {
            case 0: data[14] = (byte)(0x40 | random.Next(16)); break;
            case 1: data[17] = (byte)random.Next(256); break;
            case 2: data[20] = (byte)random.Next(256); break;
            case 3: data[12] = (byte)random.Next(256); break;
            default: data[random.Next(14, data.Length)] ^= (byte)random.Next(1, 256); break;
        }
        if (random.Next(2) == 0)
        {
            // Keep the IPv4 header checksum right so that the damage reaches past ip_in.
            data[24] = data[25] = 0;
            int ihl = Math.Min((data[14] & 0x0F) * 4, data.Length - 14);
            var sum = (ushort)~Fold(Sum(data.AsSpan(14, ihl)));
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(24), sum);
        }
    }

    public static TheoryData<string> RealCaptures()
    {
        var data = new TheoryData<string>();
        var dir = Repo.Shared is { } shared ? Path.Combine(shared, "data", "pcaps") : null;
        if (dir is not null && Directory.Exists(dir))
            foreach (var f in Directory.GetFiles(dir, "*.pcap").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        if (data.Count == 0) data.Add("");
        return data;
    }

    /// <summary>
    /// A real capture, every frame re-addressed to the router's LAN MAC and received on the inside: its IPv4 traffic to
    /// other networks leaves through the WAN port from the public address, with checksums tshark accepts; nothing
    /// faults and every drop is counted.
    /// </summary>
    [Theory]
    [MemberData(nameof(RealCaptures))]
    public void RealCapturesSentToTheRouterAreTranslated(string capture)
    {
        if (capture.Length == 0)
        {
            output.WriteLine("SKIP real captures: ../shared/data/pcaps is absent");
            return;
        }
        var frames = PcapReader.ReadFile(Path.Combine(Repo.Shared!, "data", "pcaps", capture)).Select(f =>
        {
            var data = (byte[])f.Data.Clone();
            if (data.Length >= 6) LanMac.CopyTo(data, 0);
            return new InputFrame(f.TimestampNs, 0, data, f.OriginalLength, capture);
        }).ToList();
        var run = Run(frames, WithDropQueries(DefaultControl));
        output.WriteLine(InterpreterRun.Summary(run));
        AssertEveryDropCounted(run);

        var wan = run.Outputs.Where(o => o.Port == 1 && o.Data.Length >= 34 && o.Data[12] == 0x08 && o.Data[13] == 0x00).ToList();
        Assert.Equal((long)Logged(run, "router.nat.napt.nat_count(1)"), wan.Count(o => o.Data[23] != 1 || o.Data[34] != 0 && o.Data[34] != 11 && o.Data[34] != 3));
        Assert.All(wan, o => Assert.Equal(Public, BinaryPrimitives.ReadUInt32BigEndian(o.Data.AsSpan(26))));
        if (capture.StartsWith("tcpdump-dhcp", StringComparison.Ordinal))
            Assert.True(wan.Count > 0, "the capture's unicast IPv4 to other networks is translated");

        if (Tshark.Executable is null)
        {
            output.WriteLine(Tshark.SkipMessage);
            return;
        }
        var pcap = Path.Combine(Path.GetTempPath(), $"nat-real-{Guid.NewGuid():N}.pcap");
        using (var writer = new PcapWriter(pcap))
            foreach (var o in run.Outputs) writer.Write(o.TimestampNs, o.Data, o.Data.Length);
        var bad = Tshark.BadChecksums(pcap);
        File.Delete(pcap);
        Assert.True(bad.Count == 0, string.Join("; ", bad.Take(5)));
    }

    /// <summary>
    /// One more connection than the table holds is refused and counted (table full, an allocation failure); once the
    /// connections have expired (a 30 s UDP timeout), the sweep frees entries and new connections get through.
    /// </summary>
    [Fact]
    public void AFullTableRefusesCountsAndRecovers()
    {
        var frames = new List<InputFrame>();
        long t = 1_700_000_000_000_000_000;
        uint server = SampleRuns.Ipv4("198.51.100.53");
        for (int i = 0; i <= Conns; i++)
        {
            uint host = SampleRuns.Ipv4("192.168.1.10") + (uint)(i >> 14);
            var data = Frame(LanMac, host, server, 17, Udp((ushort)(1024 + (i & 0x3FFF)), 53, 4));
            frames.Add(new InputFrame(t += 1000, 0, data, data.Length, "flows"));
        }
        t += 31_000_000_000L;
        for (int i = 0; i < 3; i++)
        {
            var data = Frame(LanMac, SampleRuns.Ipv4("192.168.1.20"), server, 17, Udp((ushort)(5000 + i), 53, 4));
            frames.Add(new InputFrame(t += 1000, 0, data, data.Length, "late"));
        }
        var control = DefaultControl.Replace("router.nat.napt.set_timeout(2, 300)", "router.nat.napt.set_timeout(2, 30)")
            + "\n@29s router.nat.napt.active_connections()\n@29s router.nat.napt.nat_drops(2)\n@end router.nat.napt.active_connections()\n"
            + "@end router.nat.napt.allocation_failures()\n";
        var run = Run(frames, control);
        Assert.Equal((ulong)Conns, Logged(run, "router.nat.napt.nat_count(0)") - 3);
        Assert.Equal("router.nat.napt.active_connections() = 16384", run.ControlLog.First(l => l.StartsWith("router.nat.napt.active_connections()", StringComparison.Ordinal)));
        Assert.Equal(1UL, Logged(run, "router.nat.napt.nat_drops(2)"));
        Assert.Equal(3UL, Logged(run, "router.nat.napt.active_connections()"));
        Assert.Equal((ulong)Conns, Logged(run, "router.nat.napt.nat_count(4)"));
        Assert.Equal(1UL, Logged(run, "router.nat.napt.allocation_failures()"));
        Assert.Equal(Conns + 3, run.PerPortOut.GetValueOrDefault(1));
    }

    /// <summary>Configuration calls with bad arguments change nothing and are counted.</summary>
    [Fact]
    public void BadConfigurationCallsAreRefusedAndCounted()
    {
        var control = DefaultControl + """

            router.nat.napt.set_port_range(0, 100)
            router.nat.napt.set_port_range(2000, 1999)
            router.nat.napt.set_timeout(4, 10)
            router.nat.napt.set_timeout(2, 0)
            router.nat.napt.set_wan_port(16)
            router.nat.napt.set_timeout(3, 90)
            @end router.nat.napt.nat_count(7)
            @end router.nat.napt.timeout(2)
            @end router.nat.napt.timeout(3)
            """;
        var data = Frame(LanMac, SampleRuns.Ipv4("192.168.1.10"), SampleRuns.Ipv4("198.51.100.53"), 17, Udp(5353, 53, 4));
        var run = Run([new InputFrame(1_000_000_000, 0, data, data.Length, "one")], control);
        Assert.Equal(5UL, Logged(run, "router.nat.napt.nat_count(7)"));
        Assert.Equal(300UL, Logged(run, "router.nat.napt.timeout(2)"));
        Assert.Equal(90UL, Logged(run, "router.nat.napt.timeout(3)"));
        // The range is still the default: the first connection took 1024, on the WAN port.
        var sent = Assert.Single(run.Outputs);
        Assert.Equal(1, sent.Port);
        Assert.Equal(1024, BinaryPrimitives.ReadUInt16BigEndian(sent.Data.AsSpan(34)));
        Assert.Equal(Public, BinaryPrimitives.ReadUInt32BigEndian(sent.Data.AsSpan(26)));
    }

    /// <summary>Everything the data path touches (the library's full-table LPM and ARP table, the NAT's connection table) fits the 8 MB SRAM.</summary>
    [Fact]
    public void TheDataPathFitsInTheSram()
    {
        var objects = SampleRuns.AssertDataPathFitsInSram("nat", output.WriteLine);
        Assert.Contains(objects, o => o.Name == "router.nat.napt.conns");
    }
}
