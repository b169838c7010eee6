using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Baker.Compiler.IR;
using Baker.Runtime.Machine;
using Baker.Runtime.Memory;

namespace Baker.Compiler.Backend.Me;

/// <summary>One <c>trace</c> of the app: its id in the log's records (1..), format and value types, and where it is.</summary>
/// <param name="Words">The record words its values take: one per value of up to 32 bits, two per 64-bit value.</param>
public sealed record TraceSite(int Id, string Symbol, string Format, IReadOnlyList<IrType> Types, int Words, string Function, SourceLocation? At);

/// <summary>A record read back from the log: its site, the ME cycle it was taken at and the values (normalised to their types).</summary>
public sealed record TraceRecord(TraceSite Site, long Cycles, IReadOnlyList<ulong> Values);

/// <summary>What the log held after a run: the records in log order, and the records lost (the log was full, or a record was
/// reserved and never written because the run stopped in between).</summary>
public sealed record TraceLogContents(IReadOnlyList<TraceRecord> Records, long Lost);

/// <summary>
/// trace() on the microengines (compiler/docs/me-backend.md, "Trace"): the microcode appends a fixed-size record to a
/// log in DRAM and the loader formats the records after the run with the interpreter's formatter (TraceFormat).
///
/// A record is <see cref="RecordBytes"/> bytes: word 0 the site id (from 1, so a record that was reserved and never
/// written reads 0), words 1 and 2 the ME's cycle count when the trace ran (low word first; the loader turns it into
/// now()'s ns exactly as Clock.cs's routine does, without its 160 instructions per trace), then the values' words
/// (a 64-bit value low word first), at most <see cref="MaxWords"/>. The log is the DRAM after the packet buffers
/// (<see cref="MemoryMap.TraceArea"/>); records are taken in order with one atomic <c>test_and_add</c> on the index
/// word (<see cref="MemoryMap.TraceIndex"/>), so concurrent threads never share one. When the log is full the
/// record is lost: counted on <see cref="MemoryMap.TraceLost"/> (a <c>.counter</c>, "trace_lost" in stats.json),
/// and the index is set to <see cref="Full"/> so it never wraps around onto the records kept. The log therefore
/// keeps the first records, whole.
/// </summary>
public static class TraceLog
{
    public const string Routine = "__trace";
    public const int RecordBytes = 64;
    public const int HeaderWords = 3;
    /// <summary>Value words per record: a record is one DRAM write of the 16 DRAM transfer registers.</summary>
    public const int MaxWords = RecordBytes / 4 - HeaderWords;
    /// <summary>The index a full log is set to: far above any capacity (<see cref="MaxRecords"/>), far below a wrap.</summary>
    public const uint Full = 0x8000_0000;
    /// <summary>The most records a log holds (1 GB), whatever DRAM remains.</summary>
    public const int MaxRecords = 1 << 24;

    /// <summary>The assembler symbol of the <paramref name="k"/>-th trace (block order) of <paramref name="f"/>: its site id.</summary>
    public static string Symbol(IrFunction f, int k) => string.Create(CultureInfo.InvariantCulture, $"TRACE_{InstructionSelection.Label(f)}_{k}");

    /// <summary>Every trace of the app, numbered from 1 in function, block and instruction order (the build and the loader agree on it).</summary>
    public static IReadOnlyList<TraceSite> Sites(IrModule module)
    {
        var sites = new List<TraceSite>();
        foreach (var f in module.Functions)
        {
            var k = 0;
            foreach (var ins in f.Blocks.SelectMany(b => b.Instructions).Where(i => i.Op == Op.Trace))
            {
                var types = ins.Operands.Skip(1).Select(o => ((Value)o).Type).ToArray();
                sites.Add(new TraceSite(sites.Count + 1, Symbol(f, k++), ((StringImm)ins.Operands[0]).Text, types,
                    types.Sum(t => t is IrType.U64 or IrType.I64 ? 2 : 1), f.Name, ins.Location));
            }
        }
        return sites;
    }

    /// <summary>Whether the code traces (the routine is then appended to its ME's program).</summary>
    public static bool Called(MeProgram code) =>
        code.Functions.Any(f => f.Blocks.Any(b => b.Instrs.Any(i =>
            i.Mnemonic == "bal" && i.Ops.Any(o => o.Kind == MOpKind.Label && o.Text == Routine))));

    /// <summary>The assembler's view of the log: its place, size, index and lost counter, and each site's id (nothing for an app that does not trace).</summary>
    public static string Equates(IrModule module, MemoryMap map, MachineDescription machine)
    {
        var sites = Sites(module);
        if (sites.Count == 0) return "";
        var (logBase, records) = MemoryMap.TraceArea(machine);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $".equ TRACE_LOG = 0x{logBase:x}\n.equ TRACE_RECORDS = {records}\n");
        sb.Append(CultureInfo.InvariantCulture, $".equ TRACE_INDEX = 0x{map.TraceIndex:x}\n.equ TRACE_LOST = 0x{map.TraceLost:x}\n.equ TRACE_FULL = 0x{Full:x}\n");
        foreach (var s in sites) sb.Append(CultureInfo.InvariantCulture, $".equ {s.Symbol} = {s.Id}\n");
        sb.Append(".counter trace_lost sram TRACE_LOST\n");
        return sb.ToString();
    }

    /// <summary>
    /// The routine: a12 = the site id, the values already in $$3.. (the caller moved them there). It reads the ME's
    /// timestamp (high, low, high again: a high word that changed means the low word wrapped in between), fills
    /// the header, takes the next record and writes all 16 words to it; with the log full it counts the record lost
    /// and parks the index at TRACE_FULL instead. Conventions of the runtime library: it touches a12, a13, b13,
    /// a15, $0, the DRAM transfer registers and signal 1.
    /// </summary>
    public static string RoutineText { get; } = $"""

        ; {Routine}: a12 = trace site id, $$3.. = its values; appends a {RecordBytes}-byte record to the trace log in DRAM
        ; (TraceLog.cs): site, cycle count (low, high), values. A full log counts the record on TRACE_LOST.
        {Routine}:
            local_csr_rd[a13, timestamp_high]
            local_csr_rd[a15, timestamp_low]
            local_csr_rd[b13, timestamp_high]
            alu[--, a13, -, b13]
            br_ne[{Routine}]
            alu[$$0, --, B, a12]
            alu[$$1, --, B, a15]
            alu[$$2, --, B, b13]
            immed[$0, 1]
            sram[test_and_add, $0, --, TRACE_INDEX, 1], ctx_swap[1]
            alu[--, $0, -, TRACE_RECORDS]
            br_hs[{Routine}_lost]
            alu_shf[a15, --, B, $0, <<6]
            dram[write, $$0, a15, TRACE_LOG, {RecordBytes / 8}], ctx_swap[1]
            rtn[b15]
        {Routine}_lost:
            immed[$0, TRACE_FULL]
            sram[swap, $0, --, TRACE_INDEX, 1], ctx_swap[1]
            sram[incr, --, --, TRACE_LOST, 1], ctx_swap[1]
            rtn[b15]

        """.Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>
    /// The records a run left in <paramref name="chip"/>'s log, in log order. A record whose site word is 0 was
    /// reserved but never written (the run stopped between the two references): it counts as lost.
    /// </summary>
    public static TraceLogContents Read(Chip chip, MemoryMap map, IReadOnlyList<TraceSite> sites)
    {
        var (logBase, capacity) = MemoryMap.TraceArea(chip.Machine);
        var index = chip.ReadWord(MemorySpace.Sram, map.TraceIndex);
        long lost = chip.ReadWord(MemorySpace.Sram, map.TraceLost);
        var taken = (int)Math.Min(index, (uint)capacity);
        var records = new List<TraceRecord>(taken);
        var dram = chip.DramMemory;
        for (var r = 0; r < taken; r++)
        {
            var at = (int)logBase + r * RecordBytes;
            uint Word(int w) => BinaryPrimitives.ReadUInt32BigEndian(dram.AsSpan(at + 4 * w));
            var id = Word(0);
            if (id == 0) { lost++; continue; }
            if (id > sites.Count)
                throw new InvalidOperationException($"trace log record {r} names site {id}, and the app has {sites.Count} trace sites");
            var site = sites[(int)id - 1];
            var values = new ulong[site.Types.Count];
            for (int k = 0, w = HeaderWords; k < values.Length; k++)
            {
                var t = site.Types[k];
                var wide = t is IrType.U64 or IrType.I64;
                values[k] = t.Normalize(wide ? (ulong)Word(w + 1) << 32 | Word(w) : (ulong)Word(w));
                w += wide ? 2 : 1;
            }
            records.Add(new TraceRecord(site, (long)((ulong)Word(2) << 32 | Word(1)), values));
        }
        return new TraceLogContents(records, lost);
    }
}
