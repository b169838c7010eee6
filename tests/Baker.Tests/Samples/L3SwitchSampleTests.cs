using System.Globalization;
using System.IO.Compression;
using System.Text;
using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;
using Baker.Compiler.Syntax;
using Baker.Tests.Infrastructure;
using Baker.Tools.Bakerc.Convert;
using Xunit.Abstractions;

namespace Baker.Tests.Samples;

/// <summary>
/// The L3 switch's route converter and its LPM against the Linux kernel's own longest-prefix match
/// (samples/l3_switch/kernel_lpm.py asked `ip route get` in a network namespace; its answers are committed),
/// on the sample's route set and on a full 2023 Internet table; and the data path's memory against the SRAM.
/// </summary>
public class L3SwitchSampleTests(ITestOutputHelper output)
{
    private static string Sample(params string[] parts) => Path.Combine([SampleRuns.Dir("l3_switch"), .. parts]);


    [Fact]
    public void RoutesTxtConvertsToTheCommittedControlScript()
    {
        var text = new StringWriter();
        using (var input = new StreamReader(Sample("routes.txt"))) RoutesConverter.Convert(input, "routes.txt", text);
        Assert.Equal(File.ReadAllText(Sample("l3_switch.ctl")).ReplaceLineEndings("\n"), text.ToString().ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("10.0.0.0/8\t10.255.1.2", 1, "expected 'prefix/len<TAB>next_hop_ip<TAB>port', found 2")]
    [InlineData("10.0.0.1/8\t10.255.1.2\t1", 1, "host bits set (the network is 10.0.0.0/8)")]
    [InlineData("10.0.0.0/33\t10.255.1.2\t1", 1, "not an IPv4 prefix")]
    [InlineData("# ok\n10.0.0.0/8\t10.255.1.256\t1", 2, "not an IPv4 next-hop address")]
    [InlineData("10.0.0.0/8\t10.255.1.2\t16", 1, "not a port 0..15")]
    public void MalformedRouteListsNameTheLine(string text, int line, string message)
    {
        var e = Assert.Throws<ConvertException>(() => RoutesConverter.Convert(new StringReader(text), "r.txt", new StringWriter()));
        Assert.Equal(line, e.Line);
        Assert.Contains(message, e.Message);
        Assert.StartsWith($"r.txt:{line}: ", e.Message);
    }

    [Fact]
    public void TheBakercCommandWritesTheScriptAndReportsErrors()
    {
        var (code, stdout, _) = Bakerc.Run("convert", "routes", Sample("routes.txt"));
        Assert.Equal(0, code);
        Assert.Equal(File.ReadAllText(Sample("l3_switch.ctl")), stdout);
        var bad = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.txt");
        File.WriteAllText(bad, "10.0.0.0/8\tnowhere\t1\n");
        var (badCode, _, stderr) = Bakerc.Run("convert", "routes", bad);
        Assert.Equal(1, badCode);
        Assert.Contains($"{bad}:1: 'nowhere' is not an IPv4 next-hop address", stderr);
        File.Delete(bad);
    }

    /// <summary>The kernel's answers: address, next hop (the address itself when connected), port; next hop "none" when unreachable.</summary>
    private static List<(uint Addr, uint? Hop, int Port)> KernelAnswers(string file) =>
        File.ReadLines(file).Where(l => l.Length > 0 && l[0] != '#').Select(l =>
        {
            var f = l.Split('\t');
            return (SampleRuns.Ipv4(f[0]), f[1] == "none" ? (uint?)null : SampleRuns.Ipv4(f[1]), f[1] == "none" ? 255 : int.Parse(f[2], CultureInfo.InvariantCulture));
        }).ToList();


    /// <summary>Installs the script, asks the LPM about every address through its control functions, compares with the kernel.</summary>
    private void AgreesWithTheKernel(string script, string kernelFile, int expectedRoutes)
    {
        var answers = KernelAnswers(kernelFile);
        Assert.NotEmpty(answers);
        var text = new StringBuilder(script);
        text.Append("\n@end router.lpm.route_count()\n@end router.lpm.route_failures()\n");
        foreach (var a in answers)
        {
            var addr = Literals.FormatIpv4(a.Addr);
            text.Append($"@end router.lpm.route_nexthop({addr})\n@end router.lpm.route_port({addr})\n");
        }
        var run = new IrInterpreter(SampleRuns.Module("l3_switch"), new InterpreterOptions()).Run([], ControlScriptParser.Parse(text.ToString(), "kernel.ctl"));
        Assert.Empty(run.ControlErrors);
        var values = run.ControlLog.Select(l => ulong.Parse(l[(l.LastIndexOf(" = ", StringComparison.Ordinal) + 3)..], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal((ulong)expectedRoutes, values[0]);
        Assert.Equal(0ul, values[1]);
        int wrong = 0;
        var first = new List<string>();
        for (int i = 0; i < answers.Count; i++)
        {
            var (addr, hop, port) = answers[i];
            ulong gotHop = values[2 + 2 * i], gotPort = values[3 + 2 * i];
            if (gotHop != (hop ?? 0xFFFFFFFF) || gotPort != (ulong)port)
            {
                wrong++;
                if (first.Count < 10) first.Add($"{Literals.FormatIpv4(addr)}: kernel {(hop is { } h ? Literals.FormatIpv4(h) : "none")} port {port}, app {Literals.FormatIpv4((uint)gotHop)} port {gotPort}");
            }
        }
        output.WriteLine($"{answers.Count} addresses compared with the kernel, {wrong} disagree");
        Assert.True(wrong == 0, string.Join("\n", first));
    }

    [Fact]
    public void TheLpmAgreesWithTheKernelOnTheSampleRoutes()
    {
        int routes = File.ReadLines(Sample("routes.txt")).Count(l => l.Length > 0 && l[0] != '#');
        AgreesWithTheKernel(File.ReadAllText(Sample("l3_switch.ctl")), Sample("expected", "kernel_routes.txt"), routes + 4);
    }

    /// <summary>
    /// The 2023 table's 901,899 prefixes with next hops by the rule kernel_lpm.py used: h = 7a + 5b + 3c + d + len,
    /// port h % 4, next hop 10.255.port.(2 + (h >> 2) % 8).
    /// </summary>
    [Fact]
    public void HoldsAFullInternetTableAndAgreesWithTheKernel()
    {
        var rib = Repo.Shared is { } shared ? Path.Combine(shared, "data", "lpm", "rib_v4_full_2023.txt.gz") : null;
        if (rib is null || !File.Exists(rib))
        {
            output.WriteLine("SKIP full-table test: ../shared/data/lpm/rib_v4_full_2023.txt.gz is absent");
            return;
        }
        var routes = new List<RoutesConverter.Route>();
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(rib), CompressionMode.Decompress)))
            for (string? line; (line = reader.ReadLine()) is not null;)
            {
                var parts = line.Trim().Split('/');
                var b = parts[0].Split('.').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
                int len = int.Parse(parts[1], CultureInfo.InvariantCulture);
                int h = 7 * b[0] + 5 * b[1] + 3 * b[2] + b[3] + len, port = h % 4;
                routes.Add(new RoutesConverter.Route(SampleRuns.Ipv4(parts[0]), len, SampleRuns.Ipv4($"10.255.{port}.{2 + (h >> 2) % 8}"), port));
            }
        Assert.Equal(901_899, routes.Count);
        var script = new StringWriter();
        RoutesConverter.Write(routes, "rib_v4_full_2023", script);
        AgreesWithTheKernel(script.ToString(), Sample("expected", "kernel_full_table.txt"), routes.Count + 4);
    }

    /// <summary>Everything the data path touches (objects named by process code and its callees, all instances) fits the 8 MB SRAM;
    /// the FIB's update shadow is touched by control code only.</summary>
    [Fact]
    public void TheDataPathFitsInTheSram()
    {
        var objects = SampleRuns.AssertDataPathFitsInSram("l3_switch", output.WriteLine);
        Assert.Contains(objects, o => o.Name == "router.lpm.pool");
        Assert.DoesNotContain(objects, o => o.Name == "router.lpm.s2_hop");
    }
}
