using System.Diagnostics;
using System.Text;
using Baker.Compiler.Driver;

namespace Baker.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Baker.Bench -- frontend [LINES]</c>: generates a Baker
/// program of about LINES lines (default 10,000): a chain of PPFs with helpers, loops, switches,
/// packet and metadata accesses, wired rx → ... → tx; checks it once (cold: includes JIT) and then
/// ten times (warm), and prints the figures. The program is written to bench/out/ for inspection.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "interp") return InterpreterBench.Run(args.Skip(1).ToArray(), FindRoot());
        if (args.Length > 0 && args[0] == "samples") return SamplesBench.Run(FindRoot());
        if (args.Length > 0 && args[0] == "me-scaling") return MeScalingBench.Run(args.Skip(1).ToArray(), FindRoot());
        if (args.Length == 0 || args[0] != "frontend")
        {
            Console.Error.WriteLine("usage: Baker.Bench frontend [LINES] | interp [PACKETS] | samples | me-scaling [OPTIONS]");
            return 2;
        }
        int lines = args.Length > 1 ? int.Parse(args[1]) : 10_000;
        var source = Generate(lines);
        var dir = Path.Combine(FindRoot(), "bench", "out");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "generated.baker");
        File.WriteAllText(path, source);
        int actualLines = source.Count(c => c == '\n');

        var sw = Stopwatch.StartNew();
        var first = FrontEnd.Check([path]);
        double cold = sw.Elapsed.TotalMilliseconds;
        if (first.HasErrors)
        {
            foreach (var d in first.Diagnostics.Take(20)) Console.Error.WriteLine(d);
            return 1;
        }
        var warm = new List<double>();
        for (int i = 0; i < 10; i++)
        {
            sw.Restart();
            FrontEnd.Check([path]);
            warm.Add(sw.Elapsed.TotalMilliseconds);
        }
        warm.Sort();
        // Where the time goes, warm: parse, bind, dataflow.
        var phases = new double[3];
        for (int i = 0; i < 5; i++)
        {
            var bag = new Baker.Compiler.Diagnostics.DiagnosticBag();
            sw.Restart();
            var units = new SourceLoader(bag).Load([path]);
            phases[0] += sw.Elapsed.TotalMilliseconds / 5;
            sw.Restart();
            var program = Baker.Compiler.Semantics.Binder.Bind(units, bag);
            phases[1] += sw.Elapsed.TotalMilliseconds / 5;
            sw.Restart();
            var flows = Baker.Compiler.Analysis.PacketOwnershipCheck.Run(program, bag);
            Baker.Compiler.Analysis.MetadataDefinednessCheck.Run(program, flows, bag);
            phases[2] += sw.Elapsed.TotalMilliseconds / 5;
        }
        Console.WriteLine($"front end on {actualLines:N0} lines ({first.Program!.Ppfs.Count} PPFs, {first.Program.AllFunctions.Count()} functions):");
        Console.WriteLine($"  cold (first run, with JIT): {cold:F0} ms");
        Console.WriteLine($"  warm: median {warm[5]:F1} ms, min {warm[0]:F1} ms, max {warm[^1]:F1} ms ({actualLines / (warm[5] / 1000):N0} lines/s)");
        Console.WriteLine($"  phases (mean of 5): parse {phases[0]:F1} ms, bind {phases[1]:F1} ms, dataflow checks {phases[2]:F1} ms");
        return 0;
    }

    private static string Generate(int targetLines)
    {
        var sb = new StringBuilder();
        sb.AppendLine("""
            protocol ether { dst : 48; src : 48; type : 16; }
            protocol ipv4 { version : 4; ihl : 4; tos : 8; length : 16; id : 16; flags : 3; frag_off : 13;
                            ttl : 8; proto : 8; checksum : 16; src : 32; dst : 32; demux { ihl << 2 }; }
            metadata { u32 nexthop; u32 flow; }
            struct entry { u32 key; u32 value; u16 hits; }
            const u32 TABLE = 1024;
            """);
        int ppfs = 0;
        while (CountLines(sb) < targetLines - 60)
        {
            int i = ppfs++;
            sb.AppendLine($$"""
                ppf stage{{i}} {
                    input ether in;
                    output ether out;
                    entry table[TABLE];
                    u32 seen;
                    lock_t guard;
                    u32 mix{{i}}(u32 a, u32 b) {
                        u32 h = a * 2654435761 + b;
                        for (u32 k = 0; k < 4; k++) { h = (h ^ (h >> 13)) * 0x5bd1e995; }
                        return h % TABLE;
                    }
                    u32 classify(ipv4* ip) {
                        switch (ip->proto) {
                            case 1: return 1;
                            case 6: case 17: return 2;
                            default: return 0;
                        }
                    }
                    process in(ether* p) {
                        seen++;
                        if (p->type != 0x0800) {
                            p->meta.out_port = {{i % 3}};
                            channel_put(out, p);
                            return;
                        }
                        ipv4* ip = packet_decap(p);
                        u32 slot = mix{{i}}(ip->src, ip->dst);
                        lock(&guard);
                        if (table[slot].key == ip->dst) { table[slot].hits++; } else { table[slot].key = ip->dst; table[slot].value = {{i}}; }
                        unlock(&guard);
                        u32 kind = classify(ip);
                        if (ip->ttl <= 1) { packet_drop(ip); return; }
                        ip->ttl = ip->ttl - 1;
                        u32 sum = ip->checksum + 0x0100;
                        ip->checksum = (u16)(sum + (sum >> 16));
                        ip->meta.nexthop = table[slot].value + kind;
                        ip->meta.flow = hash32(ip->src ^ ip->dst);
                        ip->meta.out_port = (u8)(ip->meta.nexthop % 3);
                        channel_put(out, p);
                    }
                    control u32 hits(u32 index) { return table[index % TABLE].hits; }
                }
                """);
        }
        sb.AppendLine("app bench {");
        for (int i = 0; i < ppfs; i++) sb.AppendLine($"    ppf s{i} : stage{i};");
        sb.AppendLine("    wiring {");
        sb.AppendLine("        rx -> s0.in;");
        for (int i = 1; i < ppfs; i++) sb.AppendLine($"        s{i - 1}.out -> s{i}.in;");
        sb.AppendLine($"        s{ppfs - 1}.out -> tx;");
        sb.AppendLine("    }");
        sb.AppendLine("}");
        return sb.ToString();
    }

    private static int CountLines(StringBuilder sb)
    {
        int n = 0;
        foreach (var chunk in sb.GetChunks()) foreach (char c in chunk.Span) if (c == '\n') n++;
        return n;
    }

    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Baker.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
