using System.Buffers.Binary;
using System.Diagnostics;
using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;

namespace Baker.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Baker.Bench -- interp [PACKETS]</c>: the reference interpreter's
/// forwarding rate on the L3 switch (tests/frontend/valid/l3_switch.baker, compiled with --no-trace) over
/// a generated trace of PACKETS (default 100,000) IPv4/UDP frames of 64..1500 bytes to routed
/// destinations, one core. Runs once cold, then five times warm, and prints packets per second.
/// </summary>
public static class InterpreterBench
{
    private const string Control = """
        core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)
        core.fwd.lpm.add_route(192.168.0.0, 16, 192.168.1.1)
        core.fwd.lpm.add_route(172.16.5.0, 24, 172.16.5.1)
        core.fwd.encap.mac.set_neighbor(10.0.0.254, 00:1b:21:3a:4f:5e, 1)
        core.fwd.encap.mac.set_neighbor(192.168.1.1, 00:1b:21:3a:4f:5f, 2)
        core.fwd.encap.mac.set_neighbor(172.16.5.1, 00:1b:21:3a:4f:60, 0)
        core.fwd.icmp.set_router_ip(10.0.0.1)
        """;

    public static int Run(string[] args, string root)
    {
        int count = args.Length > 0 ? int.Parse(args[0]) : 100_000;
        var app = Path.Combine(root, "tests", "frontend", "valid", "l3_switch.baker");
        var compile = Compilation.Compile([app], new CompileOptions { NoTrace = true });
        if (compile.HasErrors)
        {
            foreach (var d in compile.Diagnostics) Console.Error.WriteLine(d);
            return 1;
        }
        var frames = Frames(count);
        var script = ControlScriptParser.Parse(Control, "bench.ctl");
        var sw = Stopwatch.StartNew();
        var first = new IrInterpreter(compile.Module!).Run(frames, script);
        double cold = sw.Elapsed.TotalSeconds;
        // Process CPU time, not wall time: on the shared 2-core machine other work would otherwise count.
        var warm = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            // Output frames are counted and dropped, not kept: this measures the interpreter, not the writing of pcaps.
            var interpreter = new IrInterpreter(compile.Module!, new InterpreterOptions { OnTransmit = _ => { } });
            var before = ThreadCpu();
            interpreter.Run(frames, script);
            warm.Add((ThreadCpu() - before).TotalSeconds);
        }
        warm.Sort();
        Console.WriteLine($"l3_switch on the reference interpreter, {count:N0} packets ({first.Transmitted:N0} forwarded, {first.DroppedTotal:N0} dropped, conservation {(first.Conserved ? "ok" : "VIOLATED")})");
        var profiled = new IrInterpreter(compile.Module!, new InterpreterOptions { Profile = true }).Run(frames, script);
        double opsPerPacket = profiled.Profile!.Instances.Values.Sum(i => i.Ops) / (double)count;
        Console.WriteLine($"IR operations executed per packet: {opsPerPacket:F1}");
        Console.WriteLine($"cold: {count / cold / 1e6:F2} M packets/s");
        Console.WriteLine($"warm (process CPU time): median {count / warm[2] / 1e6:F2} M packets/s, best {count / warm[0] / 1e6:F2} M packets/s ({warm[2] / count / opsPerPacket * 1e9:F1} ns per IR operation)");
        return first.Conserved ? 0 : 1;
    }

    private static TimeSpan ThreadCpu() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>IPv4/UDP frames with correct header checksums to destinations the control script routes (one in 16 unrouted).</summary>
    private static List<InputFrame> Frames(int count)
    {
        var random = new Random(2400);
        uint[] prefixes = [0x0A000000, 0xC0A80000, 0xAC100500, 0x08080800];
        uint[] masks = [0x00FFFFFF, 0x0000FFFF, 0x000000FF, 0x000000FF];
        var frames = new List<InputFrame>(count);
        for (int i = 0; i < count; i++)
        {
            int which = random.Next(16) == 0 ? 3 : random.Next(3);
            uint dst = prefixes[which] | ((uint)random.Next() & masks[which]);
            int length = random.Next(64, 1501);
            var f = new byte[length];
            f[0] = 0x02; f[5] = 0x01; f[6] = 0x02; f[11] = 0x02;
            f[12] = 0x08; f[13] = 0x00;
            var ip = f.AsSpan(14);
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(length - 14));
            ip[8] = 64;
            ip[9] = 17;
            BinaryPrimitives.WriteUInt32BigEndian(ip[12..], 0xC0000200u | (uint)random.Next(256));
            BinaryPrimitives.WriteUInt32BigEndian(ip[16..], dst);
            uint sum = 0;
            for (int k = 0; k < 20; k += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(ip[k..]);
            while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~sum);
            frames.Add(new InputFrame(1_000_000_000L + i * 1000L, random.Next(3), f, length, "generated"));
        }
        return frames;
    }
}
