using Baker.Compiler.Profiling;
using Baker.Compiler.IR;

namespace Baker.Compiler.Interpreter;

/// <summary>
/// The counters the interpreter keeps when profiling: block executions, operations per PPF instance,
/// packets per channel, reads and writes of each global object by instance, header-field accesses
/// per packet. Costs a branch per block when off.
/// </summary>
internal sealed class ProfileCounters
{
    private readonly IrModule module;
    public readonly long[][] BlockCounts;
    /// <summary>Per instance; the last slot counts init and control code.</summary>
    public readonly long[] Ops, Invocations;
    public readonly long[] ChannelPackets;
    public readonly long[,] Reads, Writes;
    private readonly int[] objectStarts;
    private readonly int[] objectEnds;
    public int Current;
    private long fieldAccesses;
    public readonly SortedDictionary<long, long> FieldAccessHistogram = new();

    public ProfileCounters(IrModule module)
    {
        this.module = module;
        BlockCounts = module.Functions.Select(f => new long[f.Blocks.Count]).ToArray();
        int instances = module.Instances.Count + 1;
        Ops = new long[instances];
        Invocations = new long[instances];
        ChannelPackets = new long[module.Channels.Count == 0 ? 0 : module.Channels.Max(c => c.Id) + 1];
        Reads = new long[module.Objects.Count, instances];
        Writes = new long[module.Objects.Count, instances];
        objectStarts = new int[module.Objects.Count];
        objectEnds = new int[module.Objects.Count];
        Current = instances - 1;
    }

    public void SetAddresses(Func<StorageObject, int> address)
    {
        for (int i = 0; i < module.Objects.Count; i++)
        {
            objectStarts[i] = address(module.Objects[i]);
            objectEnds[i] = objectStarts[i] + module.Objects[i].Size;
        }
    }

    public void Block(CompiledFunction f, int block)
    {
        BlockCounts[f.Index][block]++;
        Ops[Current] += f.BlockLength[block];
    }

    public void Memory(int address, bool write)
    {
        // Objects are laid out in module order, so their start addresses ascend.
        int lo = 0, hi = objectStarts.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (address < objectStarts[mid]) hi = mid - 1;
            else if (address >= objectEnds[mid]) lo = mid + 1;
            else
            {
                if (write) Writes[mid, Current]++;
                else Reads[mid, Current]++;
                return;
            }
        }
    }

    public void FieldAccess() => fieldAccesses++;

    public void BeginPacket() => fieldAccesses = 0;

    public void EndPacket() => FieldAccessHistogram[fieldAccesses] = FieldAccessHistogram.GetValueOrDefault(fieldAccesses) + 1;

    public Profile Snapshot(long packets)
    {
        var p = new Profile { App = module.App, Packets = packets };
        for (int i = 0; i < module.Functions.Count; i++)
            p.Functions[module.Functions[i].Name] = new FunctionProfile(module.Functions[i].Instance, BlockCounts[i].ToArray());
        for (int i = 0; i <= module.Instances.Count; i++)
        {
            string name = i < module.Instances.Count ? module.Instances[i].Path : Profile.ControlPlane;
            p.Instances[name] = new InstanceProfile(Invocations[i], Ops[i], packets == 0 ? 0 : (double)Ops[i] / packets);
        }
        foreach (var c in module.Channels)
            p.Channels.Add(new ChannelProfile(c.Id, c.From.Describe(true), c.To.Describe(false), ChannelPackets[c.Id]));
        for (int o = 0; o < module.Objects.Count; o++)
        {
            var reads = new SortedDictionary<string, long>(StringComparer.Ordinal);
            var writes = new SortedDictionary<string, long>(StringComparer.Ordinal);
            for (int i = 0; i <= module.Instances.Count; i++)
            {
                string name = i < module.Instances.Count ? module.Instances[i].Path : Profile.ControlPlane;
                if (Reads[o, i] > 0) reads[name] = Reads[o, i];
                if (Writes[o, i] > 0) writes[name] = Writes[o, i];
            }
            p.Objects[module.Objects[o].Name] = new ObjectProfile(reads, writes);
        }
        foreach (var (k, v) in FieldAccessHistogram) p.FieldAccessesPerPacket[k] = v;
        return p;
    }
}
