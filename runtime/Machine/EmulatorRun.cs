using System.Globalization;
using System.Text;
using System.Text.Json;
using Baker.Runtime.Isa;
using Baker.Runtime.Memory;
using Baker.Runtime.Pcap;
using Baker.Runtime.Ports;

namespace Baker.Runtime.Machine;

/// <summary>Everything one emulator run needs: the machine, images, input traces and how to play them.</summary>
public sealed class EmulatorOptions
{
    public MachineDescription Machine { get; set; } = MachineDescription.Default();
    public List<MicrocodeImage> Images { get; } = [];
    /// <summary>Input trace per receive port (port number → pcap or pcapng path).</summary>
    public Dictionary<int, string> Traces { get; } = [];
    public TrafficOptions Traffic { get; set; } = new();
    /// <summary>Limit of the run in ME cycles after the input's timestamps end (<see cref="CycleLimit"/>): a guard against a program that never drains.</summary>
    public long MaxCycles { get; set; } = 60_000_000_000;

    /// <summary>
    /// The cycle the run stops at, at the latest: <see cref="MaxCycles"/> past the span of the input's timestamps
    /// (trace timing; the span of every repetition), so a trace that spans minutes is played to its end.
    /// </summary>
    public long CycleLimit(Chip chip) => chip.Ports.InputSpanCycles > long.MaxValue - MaxCycles ? long.MaxValue : chip.Ports.InputSpanCycles + MaxCycles;
    /// <summary>With traffic: stop when nothing was received, transmitted or dropped for this many cycles after the input ended.</summary>
    public long DrainIdleCycles { get; set; } = 2_000_000;
    /// <summary>See <see cref="Chip.SyncQuantumCycles"/>: 0 = exact global ordering of shared references.</summary>
    public int SyncQuantumCycles { get; set; }
    /// <summary>Where port&lt;N&gt;.pcap and stats.json go; null = write nothing.</summary>
    public string? OutputDirectory { get; set; }
    /// <summary>Host code for the control core: called once before the run with the chip, to schedule tasks.</summary>
    public Action<Chip>? Setup { get; set; }

    /// <summary>Parse a command-line trace argument: "PORT=PATH", or "PATH" for port 0.</summary>
    public void AddTrace(string argument)
    {
        var eq = argument.IndexOf('=');
        if (eq > 0 && int.TryParse(argument[..eq], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            Traces[port] = argument[(eq + 1)..];
        else
            Traces[0] = argument;
    }
}

/// <summary>What a run produced, in short (stats.json has the full statistics).</summary>
/// <remarks>
/// <see cref="Dropped"/> counts the ports' drops and the microcode's (<c>.drop</c> counters);
/// <see cref="Unaccounted"/> = offered + made − transmitted − dropped − in flight, 0 when every packet is accounted for.
/// </remarks>
public sealed record EmulatorSummary(
    long Cycles, double Seconds, long Instructions, long RxPackets, long TxPackets, long Dropped, long InFlight, long Unaccounted,
    double Mpps, double Gbps, IReadOnlyList<string> OutputFiles, string StatsJson)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Cycles} cycles ({Seconds * 1e6:F3} us emulated), {Instructions} ME instructions, rx {RxPackets}, tx {TxPackets}, dropped {Dropped}")
        + (InFlight != 0 ? $", in flight {InFlight}" : "")
        + (Unaccounted != 0 ? $", UNACCOUNTED {Unaccounted}" : "")
        + string.Create(CultureInfo.InvariantCulture, $", {Mpps:F3} Mpps, {Gbps:F3} Gbit/s");
}

/// <summary>The entry point for 'bakerc emu': load images and traces, run the chip, write port pcaps and stats.json.</summary>
public static class EmulatorRun
{
    public static EmulatorSummary Run(EmulatorOptions o)
    {
        var (chip, _) = Prepare(o);
        chip.Run(o.CycleLimit(chip));
        return Finish(chip, o);
    }

    /// <summary>Build and load the chip without running it (tests and the benchmark use this to look inside).</summary>
    public static (Chip Chip, int Frames) Prepare(EmulatorOptions o)
    {
        var chip = new Chip(o.Machine) { SyncQuantumCycles = o.SyncQuantumCycles };
        foreach (var img in o.Images) chip.Load(img);
        var traces = new Dictionary<int, IReadOnlyList<PcapFrame>>();
        var frames = 0;
        foreach (var (port, path) in o.Traces.OrderBy(kv => kv.Key))
        {
            var f = PcapReader.ReadFile(path);
            traces[port] = f;
            frames += f.Count;
        }
        if (traces.Count > 0)
        {
            chip.Ports.Attach(traces, o.Traffic);
            chip.StopWhenDrained = true;
            chip.DrainIdleCycles = o.DrainIdleCycles;
        }
        o.Setup?.Invoke(chip);
        return (chip, frames);
    }

    public static EmulatorSummary Finish(Chip chip, EmulatorOptions o)
    {
        var json = Statistics.ToJson(chip);
        var files = new List<string>();
        if (o.OutputDirectory is not null)
        {
            Directory.CreateDirectory(o.OutputDirectory);
            for (var p = 0; p < chip.Ports.Count; p++)
            {
                var path = Path.Combine(o.OutputDirectory, $"port{p}.pcap");
                using (var w = new PcapWriter(path))
                    foreach (var f in chip.Ports.Output(p)) w.Write(f.TimestampNs, f.Data, f.Data.Length);
                files.Add(path);
            }
            var statsPath = Path.Combine(o.OutputDirectory, "stats.json");
            File.WriteAllText(statsPath, json);
            files.Add(statsPath);
        }
        var s = Statistics.Totals(chip);
        return new EmulatorSummary(chip.EndTime, s.Seconds, s.Instructions, s.Rx, s.Tx, s.Dropped, s.InFlight, s.Unaccounted, s.Mpps, s.Gbps, files, json);
    }
}

/// <summary>Statistics of a run as JSON (property order fixed, so equal runs give equal files).</summary>
public static class Statistics
{
    /// <summary>The memory levels an ME references, in the order of <c>MicroEngine.MemoryRefs</c>.</summary>
    private static readonly string[] Levels = ["scratch", "sram", "dram", "hash"];

    internal readonly record struct Total(
        long Instructions, long Offered, long Made, long Rx, long Tx, long TxBytes, long Dropped, long InFlight, SortedDictionary<string, long> Drops,
        double Seconds, double Mpps, double Gbps)
    {
        public long Unaccounted => Offered + Made - Tx - Dropped - InFlight;
    }

    internal static Total Totals(Chip chip)
    {
        long offered = 0, rx = 0, tx = 0, txBytes = 0;
        var drops = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (var p = 0; p < chip.Ports.Count; p++)
        {
            var s = chip.Ports.Stats(p);
            offered += s.Offered;
            rx += s.RxPackets;
            tx += s.TxPackets;
            txBytes += s.TxBytes;
            foreach (var (reason, n) in s.Drops) drops[reason] = drops.GetValueOrDefault(reason) + n;
        }
        long made = 0;
        foreach (var c in chip.Counters)
        {
            if (c.Drop) drops[c.Name] = drops.GetValueOrDefault(c.Name) + chip.ReadWord(c.Space, c.Address);
            if (c.Made) made += chip.ReadWord(c.Space, c.Address);
        }
        var dropped = drops.Values.Sum();
        var seconds = chip.EndTime / (double)chip.Machine.ClockHz;
        var instr = chip.Microengines.Sum(m => m.Instructions);
        var mpps = seconds > 0 ? tx / seconds / 1e6 : 0;
        var gbps = seconds > 0 ? txBytes * 8 / seconds / 1e9 : 0;
        return new Total(instr, offered, made, rx, tx, txBytes, dropped, chip.Ports.BuffersInUse, drops, seconds, mpps, gbps);
    }

    public static string ToJson(Chip chip)
    {
        var t = Totals(chip);
        var end = chip.EndTime;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("machine", chip.Machine.Name);
            w.WriteNumber("clockHz", chip.Machine.ClockHz);
            w.WriteNumber("syncQuantumCycles", chip.SyncQuantumCycles);
            var traffic = chip.Ports.Traffic;
            w.WriteStartObject("input");
            w.WriteString("timing", traffic.Timing.ToString().ToLowerInvariant());
            w.WriteNumber("load", traffic.Load);
            w.WriteNumber("repeat", traffic.Repeat);
            w.WriteNumber("traceEpochNs", chip.Ports.TraceEpochNs);
            w.WriteEndObject();
            w.WriteNumber("cycles", end);
            w.WriteNumber("emulatedSeconds", t.Seconds);
            w.WriteNumber("instructions", t.Instructions);
            w.WriteStartObject("packets");
            w.WriteNumber("received", t.Rx);
            w.WriteNumber("made", t.Made);
            w.WriteNumber("transmitted", t.Tx);
            w.WriteNumber("dropped", t.Dropped);
            w.WriteNumber("inFlight", t.InFlight);
            w.WriteNumber("unaccounted", t.Unaccounted);
            w.WriteStartObject("drops");
            foreach (var (k, v) in t.Drops) w.WriteNumber(k, v);
            w.WriteEndObject();
            w.WriteNumber("forwardingMpps", Math.Round(t.Mpps, 6));
            w.WriteNumber("forwardingGbps", Math.Round(t.Gbps, 6));
            w.WriteEndObject();

            // Everything the MEs did (polling empty rings included) over the packets received.
            double PerPacket(long n) => t.Rx > 0 ? Math.Round((double)n / t.Rx, 3) : 0;
            w.WriteStartObject("perPacket");
            w.WriteNumber("instructions", PerPacket(t.Instructions));
            w.WriteStartObject("memoryReferences");
            for (var level = 0; level < Levels.Length; level++)
                w.WriteNumber(Levels[level], PerPacket(chip.Microengines.Sum(m => m.MemoryRefs[level])));
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartArray("ports");
            for (var p = 0; p < chip.Ports.Count; p++)
            {
                var s = chip.Ports.Stats(p);
                w.WriteStartObject();
                w.WriteNumber("port", p);
                w.WriteNumber("offered", s.Offered);
                w.WriteNumber("rxPackets", s.RxPackets);
                w.WriteNumber("rxBytes", s.RxBytes);
                w.WriteNumber("txPackets", s.TxPackets);
                w.WriteNumber("txBytes", s.TxBytes);
                w.WriteStartObject("drops");
                foreach (var (k, v) in s.Drops) w.WriteNumber(k, v);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartArray("microengines");
            foreach (var me in chip.Microengines)
            {
                if (!me.HasCode) continue;
                w.WriteStartObject();
                w.WriteNumber("me", me.Index);
                w.WriteNumber("instructions", me.Instructions);
                var total = Math.Max(end, 1);
                w.WriteNumber("busyCycles", me.Instructions);
                w.WriteNumber("stalledCycles", me.StalledCycles);
                w.WriteNumber("idleCycles", me.IdleCycles);
                w.WriteNumber("utilization", Math.Round((double)me.Instructions / total, 6));
                w.WriteStartObject("memoryReferences");
                for (var level = 0; level < Levels.Length; level++) w.WriteNumber(Levels[level], me.MemoryRefs[level]);
                w.WriteEndObject();
                w.WriteStartArray("threads");
                for (var c = 0; c < 8; c++)
                {
                    var th = me.Threads[c];
                    if (th.Instructions == 0) continue;
                    w.WriteStartObject();
                    w.WriteNumber("ctx", c);
                    w.WriteNumber("instructions", th.Instructions);
                    w.WriteNumber("busyCycles", th.BusyCycles);
                    w.WriteNumber("stalledCycles", th.StalledCycles);
                    w.WriteNumber("readyCycles", th.ReadyCycles);
                    w.WriteNumber("swaps", th.Swaps);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartObject("memories");
            foreach (var u in new[] { chip.ScratchUnit, chip.SramUnit, chip.DramUnit, chip.HashUnit })
            {
                w.WriteStartObject(u.Name);
                w.WriteNumber("references", u.References);
                w.WriteNumber("bytes", u.Bytes);
                w.WriteNumber("busyCycles", u.BusyCycles);
                w.WriteNumber("utilization", end > 0 ? Math.Round(Math.Min(1.0, (double)u.BusyCycles / end), 6) : 0);
                w.WriteNumber("queueDelayTotal", u.QueueDelayTotal);
                w.WriteNumber("queueDelayMean", u.References > 0 ? Math.Round((double)u.QueueDelayTotal / u.References, 3) : 0);
                w.WriteNumber("queueDelayMax", u.QueueDelayMax);
                w.WriteEndObject();
            }
            w.WriteEndObject();

            w.WriteStartArray("rings");
            foreach (var r in chip.AllRings)
            {
                w.WriteStartObject();
                w.WriteString("name", r.Name);
                w.WriteString("space", MemorySpaceNames.Name(r.Space));
                w.WriteNumber("id", r.Id);
                w.WriteNumber("sizeWords", r.SizeWords);
                w.WriteNumber("puts", r.Puts);
                w.WriteNumber("gets", r.Gets);
                w.WriteNumber("emptyGets", r.EmptyGets);
                w.WriteNumber("refusedPuts", r.RefusedPuts);
                w.WriteNumber("maxOccupancy", r.MaxOccupancy);
                w.WriteNumber("meanOccupancy", Math.Round(r.MeanOccupancy(end), 3));
                w.WriteNumber("finalOccupancy", r.Count);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartObject("counters");
            foreach (var c in chip.Counters) w.WriteNumber(c.Name, chip.ReadWord(c.Space, c.Address));
            w.WriteEndObject();

            var cc = chip.ControlCore;
            w.WriteStartObject("controlCore");
            w.WriteNumber("tasks", cc.TasksRun);
            w.WriteNumber("cycles", cc.CoreCycles);
            w.WriteNumber("cacheHits", cc.Cache.Hits);
            w.WriteNumber("cacheMisses", cc.Cache.Misses);
            w.WriteNumber("writebacks", cc.Cache.Writebacks);
            w.WriteNumber("linesCleaned", cc.Cache.LinesCleaned);
            w.WriteNumber("linesInvalidated", cc.Cache.LinesInvalidated);
            w.WriteStartArray("staleReads");
            foreach (var s in cc.StaleReads) w.WriteStringValue(s.ToString());
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }
}
