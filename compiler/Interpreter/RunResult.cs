using Baker.Compiler.Profiling;
using Baker.Compiler.Diagnostics;

namespace Baker.Compiler.Interpreter;

public sealed record OutputFrame(long TimestampNs, int Port, byte[] Data);

/// <summary>
/// A packet init or control code put on channel <paramref name="Channel"/>, handed to a target that processes the
/// packets itself (IrInterpreter.RunSetup, RunControlLine). Positions count from where the packet started, as
/// packet_create and packet_copy make it: the handle is at <paramref name="Offset"/>, the packet reaches back to
/// <paramref name="Head"/> (negative after packet_encap), and <paramref name="Data"/> holds the bytes from the handle to the end.
/// </summary>
public sealed record ControlPacket(int Channel, int Offset, int Head, byte[] Data, ulong[] Meta);

/// <summary>What a run did: packet accounting (every packet in is out, dropped with a reason, or still queued), outputs and logs.</summary>
public sealed class RunResult
{
    public long PacketsIn { get; set; }
    /// <summary>Packets the program made (packet_copy, packet_create): they are accounted for like received ones.</summary>
    public long Created { get; set; }
    public long Transmitted { get; set; }
    public long QueuedAtEnd { get; set; }
    /// <summary>Frames whose capture was cut short of their wire length (processed on what was captured).</summary>
    public long TruncatedFramesIn { get; set; }
    public SortedDictionary<string, long> Dropped { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<int, long> PerPortOut { get; } = new();
    /// <summary>The first fault message seen for each drop reason (so a user can see why, not just how many).</summary>
    public SortedDictionary<string, string> FirstFault { get; } = new(StringComparer.Ordinal);
    public List<OutputFrame> Outputs { get; } = new();
    public List<string> ControlLog { get; } = new();
    public List<Diagnostic> ControlErrors { get; } = new();
    public List<string> TraceLines { get; } = new();
    public Profile? Profile { get; set; }

    public long DroppedTotal => Dropped.Values.Sum();
    /// <summary>Conservation: packets in + made = transmitted + dropped + queued.</summary>
    public bool Conserved => PacketsIn + Created == Transmitted + DroppedTotal + QueuedAtEnd;

    public void Drop(string reason, long count = 1) => Dropped[reason] = Dropped.GetValueOrDefault(reason) + count;
}
