using Baker.Compiler.Diagnostics;
using Baker.Compiler.IR;

namespace Baker.Compiler.Backend.Me;

/// <summary>The microengine code of some IR functions and what it took (for the build report).</summary>
/// <param name="Objects">The storage objects the code refers to: only these need a place on the chip.</param>
public sealed record MeProgram(string Constants, string Code, IReadOnlyList<MFunction> Functions, int StackWords, int SlotStackBytes, IReadOnlyList<StorageObject> Objects);

/// <summary>
/// The microengine back end's pipeline for a set of functions and everything they call: instruction
/// selection, bank assignment, register allocation (per function), then frame layout (whole program)
/// and assembly text. The caller wraps the text in a program that provides the thread setup (b14 = the
/// context's stack base), the entry and the <c>__fault_REASON</c> labels.
/// </summary>
public static class MeBackend
{
    /// <param name="scope">Starts the names of this program's frame constants (<see cref="MFunction.Scope"/>): programs
    /// assembled into one image need different ones.</param>
    public static (MeProgram? Code, IReadOnlyList<Diagnostic> Diagnostics) Compile(IEnumerable<IrFunction> roots, string scope = "")
    {
        var functions = new List<IrFunction>();
        var seen = new HashSet<IrFunction>();
        void Visit(IrFunction f)
        {
            if (!seen.Add(f)) return;
            functions.Add(f);
            foreach (var i in f.Blocks.SelectMany(b => b.Instructions))
                if (i.Op == Op.Call) Visit(((FunctionRef)i.Operands[0]).Target);
        }
        foreach (var r in roots) Visit(r);

        // Callees first (Baker has no recursion): a caller keeps in registers across a call what the callee and
        // everything it calls never write, so their registers must be known when the caller is allocated.
        var order = new List<IrFunction>();
        var done = new HashSet<IrFunction>();
        void PostOrder(IrFunction f)
        {
            if (!done.Add(f)) return;
            foreach (var i in f.Blocks.SelectMany(b => b.Instructions))
                if (i.Op == Op.Call) PostOrder(((FunctionRef)i.Operands[0]).Target);
            order.Add(f);
        }
        foreach (var f in functions) PostOrder(f);

        var diags = new List<Diagnostic>();
        var compiled = new Dictionary<IrFunction, MFunction>();
        var clobbers = new Dictionary<IrFunction, IReadOnlySet<string>>();
        var movesIndex = new HashSet<IrFunction>();
        foreach (var f in order)
        {
            try
            {
                var m = InstructionSelection.Select(f, scope);
                m.BankMoves = BankAssignment.Run(m);
                RegisterAllocation.Run(m, clobbers, movesIndex);
                clobbers[f] = RegisterAllocation.Clobbers(m, clobbers);
                if (RegisterAllocation.MovesIndex(m, movesIndex)) movesIndex.Add(f);
                compiled[f] = m;
            }
            catch (MeUnsupportedException e)
            {
                diags.Add(DiagnosticCatalog.MeUnsupported.At(Span(e.At ?? f.Location), f.Name, e.Message));
            }
        }
        if (diags.Count > 0) return (null, diags);
        var machine = functions.Select(f => compiled[f]).ToList();
        var (depth, slotBytes) = FrameLayout.Run(machine);
        if (depth > FrameLayout.WordsPerContext)
        {
            var deepest = machine.MaxBy(m => m.FrameOffset + m.FrameWords)!;
            var at = functions.First(f => f.Name == deepest.Name).Location;
            diags.Add(DiagnosticCatalog.MeStackTooDeep.At(Span(at), deepest.Name, depth, FrameLayout.WordsPerContext));
        }
        if (slotBytes > MemoryMap.SlotStackBytesPerContext)
        {
            var deepest = machine.MaxBy(m => m.SlotOffset + m.SlotBytes)!;
            var at = functions.First(f => f.Name == deepest.Name).Location;
            diags.Add(DiagnosticCatalog.MeSlotStackTooDeep.At(Span(at), deepest.Name, slotBytes, MemoryMap.SlotStackBytesPerContext, deepest.SlotBytes));
        }
        if (diags.Count > 0) return (null, diags);
        var objects = functions.SelectMany(f => f.Blocks.SelectMany(b => b.Instructions)).SelectMany(i => i.Operands)
            .OfType<ObjectRef>().Select(o => o.Target).Distinct().ToList();
        return (new MeProgram(MeAsmWriter.Constants(machine), MeAsmWriter.Code(machine), machine, depth, slotBytes, objects), diags);
    }

    internal static SourceSpan Span(SourceLocation? l) => l is null ? SourceSpan.None : new SourceSpan(l.File, l.Line, l.Column, 0, 0);
}
