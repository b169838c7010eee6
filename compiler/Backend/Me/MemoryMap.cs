using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Baker.Compiler.IR;

namespace Baker.Compiler.Backend.Me;

/// <summary>
/// Where a compiled app's data lives on the chip (compiler/docs/me-backend.md, "Memory map").
/// Local memory: each context's 48-word stack from context × 192 bytes, then the context blocks
/// (16 words each from <see cref="CtxBlocks"/>: word 0 the slot-stack base, words 1..7 the packets the
/// context owns, words 8 and 9 __now's, word 13 the most recent lock its invocation holds (the head of its lock
/// list), word 14 a routine's saved index 0, word 15 the context's ticket), then the ME's sequence
/// words (<see cref="SeqWords"/>: next ticket, ticket served). SRAM: the buffer free list
/// at 0 (the machine's), the runtime's tables from <see cref="RuntimeBase"/> (the slot-stack base of each
/// ME × 8 + context), then the storage objects (each 8-aligned, holding the interpreter's byte image),
/// then the slot stacks. DRAM: the packet buffers (the machine's), then the trace log (<see cref="TraceArea"/>).
/// </summary>
public sealed class MemoryMap
{
    public const int CtxBlocks = FrameLayout.WordsPerContext * 4 * Contexts;
    public const int Contexts = 8;
    /// <summary>Local-memory byte address of the ME's two sequence words: the next ticket, the ticket served (ProgramBuilder, "Order").</summary>
    public const int SeqWords = CtxBlocks + Contexts * 16 * 4;
    public const uint RuntimeBase = 0x10000;
    /// <summary>MEs the runtime's tables have room for: a placement uses MEs 0..MaxMes − 1.</summary>
    public const int MaxMes = 16;
    /// <summary>
    /// The most slot stack (SRAM) a context may use: local aggregates, arguments past the eighth word and spills
    /// past a frame's 16 local-memory words (MeBackend refuses more with BK5202). The map lays out one stack per
    /// context of every ME it has room for (MaxMes × Contexts = 128), so this bounds them to 2 MB of SRAM.
    /// </summary>
    public const int SlotStackBytesPerContext = 16 * 1024;

    private readonly Dictionary<StorageObject, uint> _objects = [];
    public IReadOnlyDictionary<StorageObject, uint> Objects => _objects;
    public uint SlotTable => RuntimeBase;
    /// <summary>The drop counters of compiled code (one word per reason of ProgramBuilder.DropReasons).</summary>
    public uint DropCounters => RuntimeBase + MaxMes * Contexts * 4;
    /// <summary>The count of packets compiled code made (packet_create, packet_copy): a <c>.made</c> counter.</summary>
    public uint MadeCounter => ClockEpoch + 8;
    /// <summary>The trace log's index: records taken so far, or TraceLog.Full once one did not fit (TraceLog.cs).</summary>
    public uint TraceIndex => MadeCounter + 4;
    /// <summary>Trace records lost because the log was full: a <c>.counter</c> (trace_lost).</summary>
    public uint TraceLost => MadeCounter + 8;
    /// <summary>The trace epoch (u64 ns, low word first) the loader stores for now() (Clock.cs): after the drop counters.</summary>
    public uint ClockEpoch => (DropCounters + 4 * (uint)ProgramBuilder.DropReasons.Length + 7) & ~7u;
    /// <summary>The guard table of shared updates (InstructionSelection.Updates): one word per guard, after the trace words.</summary>
    public uint Guards => (TraceLost + 4 + 7) & ~7u;
    /// <summary>The storage objects, right after the runtime's words (the guard table is the last of them).</summary>
    public uint ObjectsBase => (Guards + 4 * (uint)InstructionSelection.GuardWords + 7) & ~7u;
    /// <summary>The packet records: 128 bytes per buffer (InstructionSelection.Packets).</summary>
    public uint Records => (End + 127) & ~127u;
    public uint SlotStacks { get; }
    public int SlotStackBytes { get; }
    /// <summary>The first SRAM byte after everything this map places.</summary>
    public uint End { get; }

    public MemoryMap(IEnumerable<StorageObject> objects, int slotStackBytes)
    {
        var at = ObjectsBase;
        foreach (var o in objects)
        {
            _objects[o] = at;
            at = (uint)((at + o.Size + 7) & ~7);
        }
        SlotStacks = at;
        SlotStackBytes = (slotStackBytes + 7) & ~7;
        End = SlotStacks + (uint)(SlotStackBytes * Contexts * MaxMes);
    }

    /// <summary>
    /// The trace log (TraceLog.cs): the DRAM after the packet buffers, from the next record boundary to the end of DRAM, in
    /// whole records (at most TraceLog.MaxRecords). A machine whose buffers fill its DRAM has none: every record is lost.
    /// </summary>
    public static (uint Base, int Records) TraceArea(Baker.Runtime.Machine.MachineDescription machine)
    {
        var b = machine.Buffers;
        var start = ((long)b.DramBase + (long)b.Count * b.SizeBytes + TraceLog.RecordBytes - 1) & ~(long)(TraceLog.RecordBytes - 1);
        var records = Math.Clamp((machine.Dram.SizeBytes - start) / TraceLog.RecordBytes, 0, TraceLog.MaxRecords);
        return ((uint)start, (int)records);
    }

    public uint SlotStack(int me, int context) => SlotStacks + (uint)((me * Contexts + context) * SlotStackBytes);

    /// <summary>Everything a program needs declared about this map: its constants, the packet constants, the initial data and the trace log.</summary>
    public string Declarations(IrModule module, Baker.Runtime.Machine.MachineDescription machine) =>
        Equates() + PacketEquates(module, machine) + Data() + TraceLog.Equates(module, this, machine);

    /// <summary>The assembler constants: the runtime's addresses and each object's.</summary>
    private string Equates()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $".equ CTX_BLOCKS = {CtxBlocks}\n.equ SEQ_WORDS = {SeqWords}\n.equ SLOT_TABLE = 0x{SlotTable:x}\n");
        foreach (var (o, a) in _objects) sb.Append(CultureInfo.InvariantCulture, $".equ {InstructionSelection.ObjectSymbol(o)} = 0x{a:x}\n");
        return sb.ToString();
    }

    /// <summary>The constants of packet handling: buffers, records, rings, ports, metadata fields, drop counters.</summary>
    private string PacketEquates(IrModule module, Baker.Runtime.Machine.MachineDescription machine)
    {
        // ProgramBuilder has checked that port p transmits on scratch ring TX_RING0 + p.
        var ports = machine.Ports;
        int Field(string name)
        {
            var i = module.Metadata.FindIndex(m => m.Name == name);
            return i < 0 ? 0 : 8 + 8 * i;
        }
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $".equ BUF_MASK = {(1 << InstructionSelection.BufferShift) - 1}\n");
        sb.Append(CultureInfo.InvariantCulture, $".equ BUF_BASE = 0x{machine.Buffers.DramBase:x}\n.equ PKT_HEADROOM = {machine.Buffers.HeadroomBytes}\n");
        sb.Append(CultureInfo.InvariantCulture, $".equ REC_BASE = 0x{Records:x}\n.equ FREE_LIST = {machine.Buffers.FreeListRing}\n");
        sb.Append(CultureInfo.InvariantCulture, $".equ TX_RING0 = {(ports.Count > 0 ? ports[0].TxRing : 0)}\n.equ PORTS = {ports.Count}\n");
        sb.Append(CultureInfo.InvariantCulture, $".equ TX_ENDPOINT = {InstructionSelection.TxEndpoint}\n.equ NN_ENDPOINT = {InstructionSelection.NnEndpoint}\n");
        sb.Append(CultureInfo.InvariantCulture, $".equ META_IN_PORT = REC_BASE+{Field("in_port")}\n.equ META_OUT_PORT = REC_BASE+{Field("out_port")}\n");
        sb.Append(CultureInfo.InvariantCulture, $".equ HAS_IN_PORT = {(module.Metadata.Any(m => m.Name == "in_port") ? 1 : 0)}\n");
        // A packet may grow to 16 bytes before its buffer's end: __pkt_write moves 16-byte windows.
        sb.Append(CultureInfo.InvariantCulture, $".equ PKT_LIMIT = {machine.Buffers.SizeBytes - 16}\n.equ MAX_CREATE = {machine.Buffers.SizeBytes - 16 - machine.Buffers.HeadroomBytes}\n");
        sb.Append(CultureInfo.InvariantCulture, $".equ DROP_ENDPOINT = {InstructionSelection.DropEndpoint}\n.equ ALLOC_TRIES = {InstructionSelection.AllocTries}\n");
        sb.Append(CultureInfo.InvariantCulture, $".equ LOCK_TRIES = {InstructionSelection.LockTries}\n");
        sb.Append(CultureInfo.InvariantCulture, $".equ MADE_PACKETS = 0x{MadeCounter:x}\n.equ GUARDS = 0x{Guards:x}\n");
        for (var r = 0; r < ProgramBuilder.DropReasons.Length; r++)
            sb.Append(CultureInfo.InvariantCulture, $".equ DROP_{ProgramBuilder.DropReasons[r]} = 0x{DropCounters + 4 * r:x}\n");
        return sb.ToString();
    }

    /// <summary>Initial SRAM contents: the slot table and the objects with an initial value, as big-endian words.</summary>
    private string Data()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $".data sram 0x{SlotTable:x} = ");
        sb.Append(string.Join(", ", Enumerable.Range(0, MaxMes * Contexts).Select(i => "0x" + SlotStack(i / Contexts, i % Contexts).ToString("x", CultureInfo.InvariantCulture))));
        sb.Append('\n');
        foreach (var (o, a) in _objects)
        {
            if (o.InitType == IrType.Void || o.InitValue == 0) continue;
            // The scalar's little-endian bytes (no further: a negative value is sign-extended to 64 bits).
            var image = new byte[Math.Max(8, (o.Size + 3) & ~3)];
            BinaryPrimitives.WriteUInt64LittleEndian(image, o.InitType.Normalize(o.InitValue));
            image.AsSpan(o.InitType.Bytes()).Clear();
            var words = Enumerable.Range(0, ((o.Size + 3) & ~3) / 4).Select(i => "0x" + BinaryPrimitives.ReadUInt32BigEndian(image.AsSpan(4 * i)).ToString("x", CultureInfo.InvariantCulture));
            sb.Append(CultureInfo.InvariantCulture, $".data sram 0x{a:x} = {string.Join(", ", words)}\n");
        }
        return sb.ToString();
    }

    /// <summary>The runtime library's text (RuntimeLibrary.uasm).</summary>
    public static string RuntimeLibrary { get; } = ReadLibrary();

    private static string ReadLibrary()
    {
        using var s = typeof(MemoryMap).Assembly.GetManifestResourceStream("RuntimeLibrary.uasm")!;
        return new StreamReader(s).ReadToEnd();
    }
}
