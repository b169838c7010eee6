using System.Text.Json;
using System.Text.Json.Serialization;
using Baker.Runtime.Memory;

namespace Baker.Runtime.Machine;

/// <summary>
/// Every parameter of the emulated chip. The default (an IXP2400 on an ENP-2611-like board) ships as
/// runtime/Machine/ixp2400.json, embedded in the assembly; another chip is another file.
/// All times are in microengine clock cycles unless the name says otherwise.
/// </summary>
public sealed class MachineDescription
{
    public string Name { get; set; } = "ixp2400";
    public long ClockHz { get; set; } = 600_000_000;
    public MicroengineParams Microengines { get; set; } = new();
    public MemoryUnitParams Scratch { get; set; } = new();
    public MemoryUnitParams Sram { get; set; } = new();
    public MemoryUnitParams Dram { get; set; } = new();
    public MemoryUnitParams Hash { get; set; } = new();
    public List<RingParams> Rings { get; set; } = [];
    public BufferParams Buffers { get; set; } = new();
    public ReceiveParams Receive { get; set; } = new();
    public List<PortParams> Ports { get; set; } = [];
    public ControlCoreParams ControlCore { get; set; } = new();

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The shipped default machine (a fresh copy each call, so callers may change it).</summary>
    public static MachineDescription Default()
    {
        using var s = typeof(MachineDescription).Assembly.GetManifestResourceStream("Baker.Runtime.Machine.ixp2400.json")
            ?? throw new InvalidOperationException("the default machine description is missing from the assembly");
        using var r = new StreamReader(s);
        return Parse(r.ReadToEnd(), "ixp2400.json");
    }

    public static MachineDescription Load(string path) => Parse(File.ReadAllText(path), path);

    public static MachineDescription Parse(string json, string name)
    {
        MachineDescription? m;
        try
        {
            m = JsonSerializer.Deserialize<MachineDescription>(json, Options);
        }
        catch (JsonException e)
        {
            throw new MachineDescriptionException($"{name}: {e.Message}");
        }
        if (m is null) throw new MachineDescriptionException($"{name}: empty machine description");
        m.Validate(name);
        return m;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public MachineDescription Clone() => Parse(ToJson(), Name);

    /// <summary>
    /// A copy with <paramref name="count"/> Ethernet ports. Fewer keeps the first ones (and drops the transmit rings
    /// only the others used); more repeats the last port's bit rate, each new port transmitting on a new ring of the
    /// last port's ring size in the same space, with the next free id, placed after the space's last ring.
    /// </summary>
    public MachineDescription WithPorts(int count)
    {
        if (count < 1) throw new MachineDescriptionException($"{Name}: a machine needs at least one port, not {count}");
        var m = Clone();
        if (count < m.Ports.Count)
        {
            var gone = m.Ports.Skip(count).Select(p => (p.TxRingSpace, p.TxRing)).ToHashSet();
            m.Ports.RemoveRange(count, m.Ports.Count - count);
            var kept = m.Ports.Select(p => (p.TxRingSpace, p.TxRing))
                .Append((Receive.RingSpace, Receive.Ring)).Append((Buffers.FreeListSpace, Buffers.FreeListRing)).ToHashSet();
            m.Rings.RemoveAll(r => gone.Contains((r.Space, r.Id)) && !kept.Contains((r.Space, r.Id)));
        }
        var last = m.Ports.LastOrDefault() ?? new PortParams { TxRingSpace = MemorySpace.Scratch };
        var size = m.Rings.Find(r => r.Space == last.TxRingSpace && r.Id == last.TxRing)?.SizeWords ?? 256;
        while (m.Ports.Count < count)
        {
            var inSpace = m.Rings.Where(r => r.Space == last.TxRingSpace).ToList();
            var ring = new RingParams
            {
                Name = $"tx{m.Ports.Count}",
                Space = last.TxRingSpace,
                Id = inSpace.Select(r => r.Id + 1).DefaultIfEmpty(0).Max(),
                Base = inSpace.Select(r => r.Base + (uint)r.SizeWords * 4).DefaultIfEmpty(0u).Max(),
                SizeWords = size,
            };
            m.Rings.Add(ring);
            m.Ports.Add(new PortParams { BitsPerSecond = last.BitsPerSecond, TxRingSpace = ring.Space, TxRing = ring.Id });
        }
        m.Validate($"{Name} with {count} ports");
        return m;
    }

    public MemoryUnitParams Unit(MemorySpace s) => s switch
    {
        MemorySpace.Scratch => Scratch,
        MemorySpace.Sram => Sram,
        _ => Dram,
    };

    public void Validate(string name)
    {
        void Check(bool ok, string what)
        {
            if (!ok) throw new MachineDescriptionException($"{name}: {what}");
        }
        Check(ClockHz > 0, "clockHz must be positive");
        var me = Microengines;
        Check(me.Count is >= 1 and <= 64, "microengines.count must be 1..64");
        Check(me.ThreadsPerMe is >= 1 and <= 8, "microengines.threadsPerMe must be 1..8");
        Check(me.ControlStoreSize > 0, "microengines.controlStoreSize must be positive");
        Check(me.LocalMemoryWords is > 0 and <= 65536, "microengines.localMemoryWords must be 1..65536");
        Check(me.BranchPenaltyCycles >= 0 && me.ContextSwapCycles >= 0 && me.LmAddrLatencyCycles >= 0, "microengine cycle costs must not be negative");
        Check(me.NnRingSize is > 0 and <= 128, "microengines.nnRingSize must be 1..128");
        foreach (var (u, n) in new[] { (Scratch, "scratch"), (Sram, "sram"), (Dram, "dram"), (Hash, "hash") })
        {
            Check(u.LatencyCycles >= 0, $"{n}.latencyCycles must not be negative");
            Check(u.BytesPerCycle > 0, $"{n}.bytesPerCycle must be positive");
            Check(u.CommandOverheadCycles >= 0, $"{n}.commandOverheadCycles must not be negative");
        }
        Check(Scratch.SizeBytes > 0 && Sram.SizeBytes > 0 && Dram.SizeBytes > 0, "memory sizes must be positive");
        Check(Dram.UnitBytes > 0, "dram.unitBytes must be positive");
        foreach (var r in Rings)
        {
            Check(r.Space != MemorySpace.Dram, $"ring {r.Name}: rings live in scratch or sram");
            Check(r.SizeWords > 0 && r.Base % 4 == 0, $"ring {r.Name}: size must be positive and base word aligned");
            Check(r.Id is >= 0 and < Chip.RingIds, $"ring {r.Name}: id {r.Id} is outside 0..{Chip.RingIds - 1}");
            Check(r.Base + (long)r.SizeWords * 4 <= Unit(r.Space).SizeBytes, $"ring {r.Name}: does not fit in {r.Space}");
        }
        Check(Buffers.SizeBytes > 0 && (Buffers.SizeBytes & (Buffers.SizeBytes - 1)) == 0, "buffers.sizeBytes must be a power of two");
        Check(Buffers.DramBase % Buffers.SizeBytes == 0, "buffers.dramBase must be a multiple of buffers.sizeBytes (a buffer is found from any address inside it by masking)");
        // DRAM references ignore the low 3 address bits, so a frame must start 8-byte aligned.
        Check(Buffers.HeadroomBytes >= 0 && Buffers.HeadroomBytes % 8 == 0 && Buffers.HeadroomBytes < Buffers.SizeBytes,
            $"buffers.headroomBytes ({Buffers.HeadroomBytes}) must be a multiple of 8 and less than buffers.sizeBytes ({Buffers.SizeBytes})");
        Check(Buffers.DramBase > 0, "buffers.dramBase must not be 0 (a descriptor word of 0 means 'ring empty')");
        Check(Buffers.DramBase + (long)Buffers.Count * Buffers.SizeBytes <= Dram.SizeBytes, "packet buffers do not fit in DRAM");
        foreach (var p in Ports) Check(p.BitsPerSecond > 0, "ports[].bitsPerSecond must be positive");
        var cc = ControlCore.Cache;
        Check(cc.LineBytes > 0 && (cc.LineBytes & (cc.LineBytes - 1)) == 0, "controlCore.cache.lineBytes must be a power of two");
        Check(cc.Ways > 0 && cc.SizeBytes % (cc.LineBytes * cc.Ways) == 0, "controlCore.cache.sizeBytes must be a multiple of lineBytes * ways");
    }
}

public sealed class MachineDescriptionException(string message) : Exception(message);

public sealed class MicroengineParams
{
    public int Count { get; set; } = 8;
    public int ThreadsPerMe { get; set; } = 8;
    public int ControlStoreSize { get; set; } = 4096;
    public int LocalMemoryWords { get; set; } = 640;
    /// <summary>Cycles lost by a taken branch, minus one per defer slot used.</summary>
    public int BranchPenaltyCycles { get; set; } = 3;
    /// <summary>Cycles lost when a context swaps out, minus one per defer slot used.</summary>
    public int ContextSwapCycles { get; set; } = 3;
    /// <summary>Cycles after local_csr_wr[active_lm_addr_N] before *l$indexN may be used (an earlier use stalls).</summary>
    public int LmAddrLatencyCycles { get; set; } = 3;
    public int NnRingSize { get; set; } = 128;
    public int CamEntries { get; set; } = 16;
}

/// <summary>
/// One memory controller as a single FIFO server: a reference of B bytes occupies the controller for
/// commandOverheadCycles + ceil(B / bytesPerCycle) cycles, starting when the controller is free; its completion
/// signal fires latencyCycles after it starts. Throughput is bounded by the occupancy, and queueing delay
/// grows once references arrive faster than the controller serves them.
/// </summary>
public sealed class MemoryUnitParams
{
    public long SizeBytes { get; set; }
    public int LatencyCycles { get; set; }
    public double BytesPerCycle { get; set; } = 4;
    public int CommandOverheadCycles { get; set; }
    /// <summary>Transfers are rounded up to this many bytes (DRAM: 8).</summary>
    public int UnitBytes { get; set; } = 4;
}

public sealed class RingParams
{
    public string Name { get; set; } = "";
    public MemorySpace Space { get; set; }
    public int Id { get; set; }
    public uint Base { get; set; }
    public int SizeWords { get; set; }
}

/// <summary>
/// Packet buffers in DRAM, handed out through a free-list ring that holds their addresses (any address inside
/// a buffer may be put back: the buffer is that address rounded down to a multiple of sizeBytes).
/// </summary>
public sealed class BufferParams
{
    public uint DramBase { get; set; } = 0x100000;
    public int SizeBytes { get; set; } = 2048;
    /// <summary>Bytes kept free in front of a received frame, so that code can prepend headers in place.</summary>
    public int HeadroomBytes { get; set; } = 128;
    public int Count { get; set; } = 1024;
    public MemorySpace FreeListSpace { get; set; } = MemorySpace.Sram;
    public int FreeListRing { get; set; }
}

/// <summary>Where receive places descriptors: two words per frame, [frame address, port &lt;&lt; 16 | length].</summary>
public sealed class ReceiveParams
{
    public MemorySpace RingSpace { get; set; } = MemorySpace.Scratch;
    public int Ring { get; set; }
    /// <summary>Bytes added to the captured length for the wire time of a frame (the frame check sequence).</summary>
    public int FcsBytes { get; set; } = 4;
    /// <summary>Preamble, start delimiter and inter-frame gap per frame.</summary>
    public int OverheadBytes { get; set; } = 20;
    public int MinFrameBytes { get; set; } = 64;
}

public sealed class PortParams
{
    public long BitsPerSecond { get; set; } = 1_000_000_000;
    public MemorySpace TxRingSpace { get; set; } = MemorySpace.Scratch;
    public int TxRing { get; set; }
}

public sealed class ControlCoreParams
{
    public long ClockHz { get; set; } = 600_000_000;
    public CacheParams Cache { get; set; } = new();
    /// <summary>Cycles (control-core clock) of an uncached or missing access to scratch, SRAM or DRAM.</summary>
    public int ScratchAccessCycles { get; set; } = 60;
    public int SramAccessCycles { get; set; } = 90;
    public int DramAccessCycles { get; set; } = 120;
}

public sealed class CacheParams
{
    public int SizeBytes { get; set; } = 32768;
    public int LineBytes { get; set; } = 32;
    public int Ways { get; set; } = 32;
    public int HitCycles { get; set; } = 1;
    public int CleanCyclesPerLine { get; set; } = 10;
    public int InvalidateCyclesPerLine { get; set; } = 2;
}
