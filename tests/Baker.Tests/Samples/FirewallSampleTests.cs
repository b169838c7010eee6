using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;
using Baker.Runtime.Pcap;
using Baker.Tests.Infrastructure;
using Baker.Tools.Bakerc.Convert;
using Xunit.Abstractions;

namespace Baker.Tests.Samples;

/// <summary>
/// samples/firewall against ClassBench: the rules of ipc1_500 converted by <c>bakerc convert classbench</c>, the
/// firewall's per-rule first-match counters against the first matches ClassBench's own tools computed (cross-checked
/// with netfilter); and the converter on small inputs. The crafted traces are checked by SampleTests.
/// </summary>
public class FirewallSampleTests(ITestOutputHelper output)
{
    private const int NoRuleDrops = 7;   // DROP_NO_RULE in samples/firewall/defs.baker

    private static string? ClassBench(string file)
    {
        var path = Repo.Shared is { } shared ? Path.Combine(shared, "data", "classbench", file) : null;
        return path is not null && File.Exists(path) ? path : null;
    }

    /// <summary>The converted rule set with the hit queries and a query of the default-policy drops appended.</summary>
    private static string ControlScript(string rules)
    {
        var script = new StringWriter();
        using (var input = new StreamReader(rules)) ClassBenchConverter.Convert(input, rules, queryHits: true, script);
        script.WriteLine($"@end fw.policy.drops({NoRuleDrops})");
        var path = Path.Combine(Path.GetTempPath(), $"firewall-classbench-{Guid.NewGuid():N}.ctl");
        File.WriteAllText(path, script.ToString());
        return path;
    }

    private static Dictionary<int, long> RuleHits(IEnumerable<string> controlLog)
    {
        var hits = new Dictionary<int, long>();
        foreach (var line in controlLog)
            if (Regex.Match(line, @"^fw\.policy\.rule_hits\((\d+)\) = (\d+)$") is { Success: true } m)
                hits[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)] = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        return hits;
    }

    private static long NoRuleDropCount(IEnumerable<string> controlLog) =>
        long.Parse(controlLog.Single(l => l.StartsWith($"fw.policy.drops({NoRuleDrops}) = ", StringComparison.Ordinal)).Split(" = ")[1], CultureInfo.InvariantCulture);

    /// <summary>Runs the converted rules over a trace and compares every rule's hits with the expected first matches (-1: none).</summary>
    private void AgreesWithClassBench(string rules, string trace, IReadOnlyList<int> firstMatches)
    {
        int ruleCount = File.ReadLines(rules).Count(l => l.StartsWith('@'));
        var control = ControlScript(rules);
        var (run, outDir) = SampleRuns.Run("firewall", [$"0={trace}"], control);
        SampleRuns.AssertClean(run);
        Assert.Equal(firstMatches.Count, run.PacketsIn);

        var hits = RuleHits(run.ControlLog);
        Assert.Equal(ruleCount, hits.Count);
        var expected = firstMatches.Where(m => m >= 0).CountBy(m => m).ToDictionary();
        var wrong = Enumerable.Range(0, ruleCount).Where(i => hits[i] != expected.GetValueOrDefault(i)).ToList();
        output.WriteLine($"{firstMatches.Count} frames, {ruleCount} rules, {expected.Count} rules matched first by some frame; " +
                         $"{ruleCount - wrong.Count} of {ruleCount} rule counters agree with ClassBench");
        Assert.True(wrong.Count == 0, "rule: firewall hits / ClassBench first matches\n" +
            string.Join("\n", wrong.Take(20).Select(i => $"{i}: {hits[i]} / {expected.GetValueOrDefault(i)}")));

        // Every rule permits: the frames that matched a rule leave on port 1, the others are the default policy's drops.
        long noMatch = firstMatches.Count(m => m < 0);
        Assert.Equal(firstMatches.Count - noMatch, run.Transmitted);
        Assert.Equal(run.Transmitted, run.PerPortOut.GetValueOrDefault(1));
        Assert.Equal(noMatch, NoRuleDropCount(run.ControlLog));
        Assert.Equal(firstMatches.Count, run.Transmitted + NoRuleDropCount(run.ControlLog));
        File.Delete(control);
        Directory.Delete(outDir, true);
    }

    [Fact]
    public void Ipc1RuleHitsEqualTheFirstMatchesOfTheTcpUdpPcap()
    {
        string? rules = ClassBench("ipc1_500"), trace = ClassBench("ipc1_500_trace_tcpudp.pcap"), expected = ClassBench("ipc1_500_trace_tcpudp.pcap.expected");
        if (rules is null || trace is null || expected is null)
        {
            output.WriteLine("SKIP ClassBench oracle: ../shared/data/classbench (ipc1_500, its tcpudp pcap and .expected) is absent");
            return;
        }
        // "frame trace_line first_match" per frame, in frame order.
        var firstMatches = File.ReadLines(expected).Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => int.Parse(l.Split('\t', ' ')[^1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3000, firstMatches.Count);
        AgreesWithClassBench(rules, trace, firstMatches);
    }

    /// <summary>
    /// Beyond the pcap: every TCP and UDP header of ipc1_500_trace (3,491 of 4,830) as a frame, against
    /// ipc1_500_trace.firstmatch5. Other protocols are left out: the firewall matches them with ports 0,
    /// ClassBench with the ports its trace gives them.
    /// </summary>
    [Fact]
    public void Ipc1RuleHitsEqualFirstmatch5OnEveryTcpUdpHeaderOfTheTrace()
    {
        string? rules = ClassBench("ipc1_500"), headers = ClassBench("ipc1_500_trace"), firstmatch = ClassBench("ipc1_500_trace.firstmatch5");
        if (rules is null || headers is null || firstmatch is null)
        {
            output.WriteLine("SKIP ClassBench oracle: ../shared/data/classbench (ipc1_500, ipc1_500_trace, its firstmatch5) is absent");
            return;
        }
        var lines = File.ReadAllLines(headers);
        var matches = File.ReadAllLines(firstmatch);
        Assert.Equal(lines.Length, matches.Length);
        var trace = Path.Combine(Path.GetTempPath(), $"firewall-ipc1-{Guid.NewGuid():N}.pcap");
        var firstMatches = new List<int>();
        using (var writer = new PcapWriter(trace))
            for (int i = 0; i < lines.Length; i++)
            {
                var f = lines[i].Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries).Select(x => ulong.Parse(x, CultureInfo.InvariantCulture)).ToArray();
                var proto = (byte)f[4];
                if (proto != 6 && proto != 17) continue;
                var frame = TransportFrame((uint)f[0], (uint)f[1], (ushort)f[2], (ushort)f[3], proto);
                writer.Write(1_000_000_000L + i * 1000L, frame, frame.Length);
                firstMatches.Add(int.Parse(matches[i].Split(' ')[0], CultureInfo.InvariantCulture));
            }
        Assert.Equal(3491, firstMatches.Count);
        AgreesWithClassBench(rules, trace, firstMatches);
        File.Delete(trace);
    }

    /// <summary>Ethernet/IPv4/TCP (a SYN) or UDP, 60 bytes, with a valid IPv4 header checksum (the firewall verifies it).</summary>
    private static byte[] TransportFrame(uint src, uint dst, ushort sport, ushort dport, byte proto)
    {
        int l4 = proto == 6 ? 20 : 8;
        var frame = new byte[Math.Max(60, 14 + 20 + l4)];
        byte[] header = [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
        header.CopyTo(frame, 0);
        var ip = frame.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + l4));
        ip[8] = 64;
        ip[9] = proto;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], src);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], dst);
        uint sum = 0;
        for (int i = 0; i < 20; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(ip[i..]);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~sum);
        BinaryPrimitives.WriteUInt16BigEndian(ip[20..], sport);
        BinaryPrimitives.WriteUInt16BigEndian(ip[22..], dport);
        if (proto == 6)
        {
            ip[32] = 0x50;    // data offset 5
            ip[33] = 0x02;    // SYN
        }
        else BinaryPrimitives.WriteUInt16BigEndian(ip[24..], 8);
        return frame;
    }

    private const string Snippet =
        "@164.6.15.25/32\t95.28.68.237/32\t1098 : 1098\t6970 : 6970\t0x11/0xFF\t0x0000/0x0000\t\n" +
        "@233.196.79.0/24\t0.0.0.0/0\t0 : 65535\t80 : 80\t0x06/0xFF\t0x0000/0x0200\t\r\n" +
        "\n" +
        "# an action column (this converter's extension) and no flags\n" +
        "@10.0.0.0/8\t10.1.2.3/32\t0 : 65535\t0 : 65535\t0x00/0x00\tdrop\n";

    [Fact]
    public void ConvertsASnippetToAddRuleCallsInOrder()
    {
        var script = new StringWriter();
        ClassBenchConverter.Convert(new StringReader(Snippet), "dir/snippet", queryHits: false, script);
        Assert.Equal("""
            # samples/firewall rules from the ClassBench filter set snippet (3 rules), by bakerc convert classbench.
            # Rule i is the i-th rule line of the file (0-based); the first rule a packet matches decides. TCP flags are ignored.
            # add_rule(src, src_len, dst, dst_len, sport_lo, sport_hi, dport_lo, dport_hi, proto, proto_mask, action: 1 permit, 0 drop)
            fw.policy.add_rule(164.6.15.25, 32, 95.28.68.237, 32, 1098, 1098, 6970, 6970, 0x11, 0xFF, 1)
            fw.policy.add_rule(233.196.79.0, 24, 0.0.0.0, 0, 0, 65535, 80, 80, 0x06, 0xFF, 1)
            fw.policy.add_rule(10.0.0.0, 8, 10.1.2.3, 32, 0, 65535, 0, 65535, 0x00, 0x00, 0)

            """.ReplaceLineEndings("\n"), script.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void QueryHitsAppendsOneEndQueryPerRule()
    {
        var script = new StringWriter();
        ClassBenchConverter.Convert(new StringReader(Snippet), "snippet", queryHits: true, script);
        var lines = script.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(["@end fw.policy.rule_hits(0)", "@end fw.policy.rule_hits(1)", "@end fw.policy.rule_hits(2)"], lines[^3..]);
        Assert.Equal(3, lines.Count(l => l.StartsWith("fw.policy.add_rule(", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("164.6.15.25/32\t95.28.68.237/32\t0 : 1\t0 : 1\t0x11/0xFF\t", 1, "a rule starts with '@'")]
    [InlineData("@1.2.3.4/32\t5.6.7.8/32\t0 : 1\t0 : 1\t", 1, "expected 5 to 7 tab-separated fields")]
    [InlineData("@1.2.3.4/32 5.6.7.8/32 0 : 1 0 : 1 0x11/0xFF 0x0000/0x0000", 1, "expected 5 to 7 tab-separated fields")]
    [InlineData("@1.2.3.256/32\t5.6.7.8/32\t0 : 1\t0 : 1\t0x11/0xFF\t", 1, "the source address '1.2.3.256' is not an IPv4 address")]
    [InlineData("@1.2.3.4/32\t5.6.7/32\t0 : 1\t0 : 1\t0x11/0xFF\t", 1, "the destination address '5.6.7' is not an IPv4 address")]
    [InlineData("@1.2.3.4\t5.6.7.8/32\t0 : 1\t0 : 1\t0x11/0xFF\t", 1, "the source prefix '1.2.3.4' has no '/len'")]
    [InlineData("@1.2.3.4/33\t5.6.7.8/32\t0 : 1\t0 : 1\t0x11/0xFF\t", 1, "the source prefix length '33' is not a number 0..32")]
    [InlineData("@1.2.3.4/32\t5.6.7.8/32\t0 : 65536\t0 : 1\t0x11/0xFF\t", 1, "the source port range '0 : 65536' has an end that is not a port")]
    [InlineData("@1.2.3.4/32\t5.6.7.8/32\t0 : 1\t9 : 8\t0x11/0xFF\t", 1, "the destination port range '9 : 8' is empty")]
    [InlineData("@1.2.3.4/32\t5.6.7.8/32\t0 - 1\t0 : 1\t0x11/0xFF\t", 1, "the source port range '0 - 1' is not 'lo : hi'")]
    [InlineData("@1.2.3.4/32\t5.6.7.8/32\t0 : 1\t0 : 1\t0x111/0xFF\t", 1, "the protocol field '0x111/0xFF' is not 0xVALUE/0xMASK")]
    [InlineData("@1.2.3.4/32\t5.6.7.8/32\t0 : 1\t0 : 1\t17/255\t", 1, "the protocol field '17/255' is not 0xVALUE/0xMASK")]
    [InlineData("@1.2.3.4/32\t5.6.7.8/32\t0 : 1\t0 : 1\t0x11/0xFF\t0x0000/0x1FFFF\t", 1, "the TCP flags field '0x0000/0x1FFFF'")]
    [InlineData("@1.2.3.4/32\t5.6.7.8/32\t0 : 1\t0 : 1\t0x11/0xFF\tallow\t", 1, "field 6 'allow' is neither TCP flags (0xVVVV/0xMMMM) nor an action (permit or drop)")]
    [InlineData("@1.2.3.4/32\t5.6.7.8/32\t0 : 1\t0 : 1\t0x11/0xFF\t0x0000/0x0000\tpermit\tnow\t", 1, "expected 5 to 7 tab-separated fields")]
    [InlineData("@1.2.3.4/32\t5.6.7.8/32\t0 : 1\t0 : 1\t0x11/0xFF\t\n\n@1.2.3.4/32\t5.6.7.8/32\t0 : 1\t0 : 1\t0x11\t", 3, "the protocol field '0x11' is not 0xVALUE/0xMASK")]
    public void MalformedLinesNameTheirLine(string text, int line, string message)
    {
        var e = Assert.Throws<ConvertException>(() => ClassBenchConverter.Convert(new StringReader(text), "rules.cb", queryHits: false, new StringWriter()));
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"rules.cb:{line}: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void MoreRulesThanTheFirewallHoldsAreRefusedAtTheFirstOneTooMany()
    {
        var rule = "@10.0.0.0/8\t0.0.0.0/0\t0 : 65535\t0 : 65535\t0x00/0x00\t0x0000/0x0000\t\n";
        var text = string.Concat(Enumerable.Repeat(rule, ClassBenchConverter.Capacity + 1));
        var e = Assert.Throws<ConvertException>(() => ClassBenchConverter.Convert(new StringReader(text), "big", queryHits: false, new StringWriter()));
        Assert.Equal(ClassBenchConverter.Capacity + 1, e.Line);
        Assert.Contains($"the firewall holds {ClassBenchConverter.Capacity}", e.Message);

        // The capacity is the firewall's: MAX_RULES in its definitions.
        var defs = File.ReadAllText(Path.Combine(SampleRuns.Dir("firewall"), "defs.baker"));
        Assert.Matches($@"const u32 MAX_RULES\s*=\s*{ClassBenchConverter.Capacity};", defs);
    }

    [Fact]
    public void TheBakercCommandWritesTheScriptAndReportsErrors()
    {
        var dir = Directory.CreateTempSubdirectory("firewall-convert").FullName;
        var good = Path.Combine(dir, "good");
        File.WriteAllText(good, Snippet);
        var (code, stdout, stderr) = Bakerc.Run("convert", "classbench", good, "--query-hits");
        Assert.True(code == 0, stderr);
        Assert.Contains("fw.policy.add_rule(10.0.0.0, 8, 10.1.2.3, 32, 0, 65535, 0, 65535, 0x00, 0x00, 0)", stdout);
        Assert.EndsWith("@end fw.policy.rule_hits(2)" + Environment.NewLine, stdout);

        var bad = Path.Combine(dir, "bad");
        File.WriteAllText(bad, Snippet + "@10.0.0.0/8\t0.0.0.0/0\t0 : 65535\n");
        var (badCode, badOut, badErr) = Bakerc.Run("convert", "classbench", bad);
        Assert.Equal(1, badCode);
        Assert.Equal("", badOut);
        Assert.Contains($"{bad}:6: expected 5 to 7 tab-separated fields", badErr);
        Directory.Delete(dir, true);
    }

    /// <summary>
    /// Random frames, most of them Ethernet/IPv4 with random header fields (a valid header checksum half the
    /// time, so that they get past it) and TCP or UDP, never make the firewall fault: every drop is its own.
    /// </summary>
    [Fact]
    public void RandomFramesNeverFault()
    {
        var random = new Random(7);
        var frames = new List<InputFrame>();
        for (int i = 0; i < 20_000; i++)
        {
            var data = new byte[random.Next(0, 120)];   // most at least 47 bytes: Ethernet, IPv4 and a TCP data offset
            random.NextBytes(data);
            if (i % 8 != 0 && data.Length >= 14)
            {
                data[12] = 0x08;
                data[13] = i % 8 == 1 ? (byte)0x06 : (byte)0x00;          // some ARP, mostly IPv4
                if (data.Length >= 47)
                {
                    data[14] = (byte)(0x40 | (i % 4 == 0 ? random.Next(0, 16) : 5));    // version 4, IHL mostly 5
                    data[16] = 0;
                    data[17] = (byte)(data.Length - 14 - random.Next(-2, 8));           // total length near the frame's
                    data[46] = (byte)(i % 4 == 2 ? data[46] : 0x50);                    // TCP data offset mostly 5
                    data[20] &= (byte)(i % 3 == 0 ? 0xFF : 0x40);          // mostly unfragmented
                    if (i % 3 != 0) data[21] = 0;
                    data[23] = (byte)(i % 2 == 0 ? 6 : 17);
                    if (i % 2 == 0)
                    {
                        int ihl = (data[14] & 0x0F) * 4;
                        data[24] = data[25] = 0;
                        uint sum = 0;
                        for (int k = 14; k + 1 < 14 + ihl && k + 1 < data.Length; k += 2) sum += (uint)(data[k] << 8 | data[k + 1]);
                        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
                        data[24] = (byte)(~sum >> 8);
                        data[25] = (byte)~sum;
                    }
                }
            }
            frames.Add(new InputFrame(1_000_000 + i * 1000L, random.Next(3), data, data.Length, "random"));
        }
        var run = new IrInterpreter(SampleRuns.Module("firewall")).Run(frames, ControlScriptParser.ParseFile(Path.Combine(SampleRuns.Dir("firewall"), "firewall.ctl")));
        SampleRuns.AssertClean(run);
        Assert.Equal(frames.Count, run.PacketsIn);
        output.WriteLine(InterpreterRun.Summary(run) + string.Join(", ", run.ControlLog.Where(l => !l.EndsWith(" = 0", StringComparison.Ordinal))));
        Assert.True(run.Transmitted > 0, "some random frames are permitted");
    }

    /// <summary>The data path's state (4,096 rules, 4,096 cache entries and their locks) fits the 8 MB SRAM.</summary>
    [Fact]
    public void TheDataPathFitsInTheSram()
    {
        var objects = SampleRuns.AssertDataPathFitsInSram("firewall", output.WriteLine);
        Assert.Contains(objects, o => o.Name == "fw.policy.rules");
        Assert.Contains(objects, o => o.Name == "fw.cache.table");
    }
}
