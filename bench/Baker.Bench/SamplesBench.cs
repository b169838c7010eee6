using System.Diagnostics;
using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;

namespace Baker.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Baker.Bench -- samples</c>: each sample app (compiled with --no-trace)
/// on its 64-byte saturation trace (samples/NAME/traces/sat64.pcap, all on port 0, repeated to about 100,000 packets) with its default control
/// script, on the reference interpreter, one core: IR operations per packet and packets per second of process
/// CPU time (median of three warm runs; control-plane work is not counted in the operations). These are the interpreter's figures; the emulated NP's come later.
/// </summary>
public static class SamplesBench
{
    public static int Run(string root)
    {
        Console.WriteLine($"{"sample",-10} {"packets",8} {"out",8} {"dropped",8} {"IR ops/pkt",11} {"M pkt/s",8}");
        foreach (var name in new[] { "l3_switch", "firewall", "mpls", "nat" })
        {
            var dir = Path.Combine(root, "samples", name);
            var compile = Compilation.Compile([Path.Combine(dir, name + ".baker")], new CompileOptions { NoTrace = true });
            if (compile.HasErrors)
            {
                foreach (var d in compile.Diagnostics) Console.Error.WriteLine(d);
                return 1;
            }
            var trace = TraceInput.Load(["0=" + Path.Combine(dir, "traces", "sat64.pcap")]);
            // The trace repeated (later copies shifted past the end of the earlier ones) to about 100,000
            // packets, so that a run lasts long enough to time; flows repeat, as they do on a real link.
            long span = trace[^1].TimestampNs - trace[0].TimestampNs + 1000;
            var frames = Enumerable.Range(0, (100_000 + trace.Count - 1) / trace.Count)
                .SelectMany(r => trace.Select(f => f with { TimestampNs = f.TimestampNs + r * span })).ToList();
            var script = ControlScriptParser.ParseFile(Path.Combine(dir, name + ".ctl"));
            var profiled = new IrInterpreter(compile.Module!, new InterpreterOptions { Profile = true, OnTransmit = _ => { } }).Run(frames, script);
            double opsPerPacket = profiled.Profile!.Instances.Where(i => i.Key != Baker.Compiler.Profiling.Profile.ControlPlane).Sum(i => i.Value.Ops) / (double)frames.Count;
            var warm = new List<double>();
            for (int i = 0; i < 4; i++)
            {
                var interpreter = new IrInterpreter(compile.Module!, new InterpreterOptions { OnTransmit = _ => { } });
                var before = Process.GetCurrentProcess().TotalProcessorTime;
                interpreter.Run(frames, script);
                if (i > 0) warm.Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds);
            }
            warm.Sort();
            Console.WriteLine($"{name,-10} {frames.Count,8:N0} {profiled.Transmitted,8:N0} {profiled.DroppedTotal,8:N0} {opsPerPacket,11:F1} {frames.Count / warm[1] / 1e6,8:F2}");
            if (!profiled.Conserved) return 1;
        }
        return 0;
    }
}
