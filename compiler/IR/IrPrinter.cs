using System.Globalization;
using System.Text;

namespace Baker.Compiler.IR;

/// <summary>
/// Writes the text form of the IR (docs/ir.md). The output is canonical: <see cref="IrParser"/> reads it
/// back and printing the result gives the same text. Operands print by their own kind, so a module that
/// fails verification can still be dumped.
/// </summary>
public static class IrPrinter
{
    public static string Print(IrModule m)
    {
        var sb = new StringBuilder();
        sb.Append("app ").Append(m.App).Append('\n');
        foreach (var field in m.Metadata) sb.Append($"meta {field.Name} {field.Type.Name()}\n");
        foreach (var o in m.Objects)
        {
            sb.Append(o.Kind == StorageKind.State ? "state " : "global ").Append(o).Append(' ').Append(Quote(o.TypeText))
                .Append($" size {o.Size} align {o.Align}");
            if (o.InitType != IrType.Void) sb.Append($" init {o.InitType.Name()} {Number(o.InitValue, o.InitType)}");
            if (o.Kind == StorageKind.State) sb.Append(" owner ").Append(o.Owner);
            sb.Append('\n');
        }
        foreach (var inst in m.Instances)
        {
            sb.Append($"instance {inst.Path} {Quote(inst.Ppf)} {{\n");
            foreach (var e in inst.Endpoints)
            {
                sb.Append($"  {(e.IsInput ? "input" : "output")} {e.Name} {e.Protocol}");
                if (e.Process is not null) sb.Append($" -> {e.Process}");
                sb.Append('\n');
            }
            if (inst.Init is not null) sb.Append($"  init {inst.Init}\n");
            foreach (var c in inst.Controls) sb.Append($"  control {c}\n");
            sb.Append("}\n");
        }
        foreach (var c in m.Channels) sb.Append($"channel {c.Id} {c.From.Describe(true)} -> {c.To.Describe(false)}\n");
        foreach (var f in m.Functions) AppendFunction(sb.Append('\n'), f);
        return sb.ToString();
    }

    /// <summary>One function, as it appears in <see cref="Print(IrModule)"/>. <paramref name="m"/> is the module
    /// it belongs to; the function's text depends only on the function, which names its objects and callees.</summary>
    public static string Print(IrFunction f, IrModule m) => AppendFunction(new StringBuilder(), f).ToString();

    /// <summary>
    /// The printed number of every register of a function: parameters first, then the others in order of
    /// first appearance (blocks in order, each instruction's operands before its destination).
    /// </summary>
    internal static Dictionary<Register, int> NumberRegisters(IrFunction f)
    {
        var numbers = new Dictionary<Register, int>();
        foreach (var p in f.Params) numbers.TryAdd(p, numbers.Count);
        foreach (var ins in f.Blocks.SelectMany(b => b.Instructions))
        {
            foreach (var r in ins.Operands.OfType<Register>()) numbers.TryAdd(r, numbers.Count);
            if (ins.Dest is not null) numbers.TryAdd(ins.Dest, numbers.Count);
        }
        return numbers;
    }

    /// <summary>The label number of every block: its first position in the function.</summary>
    internal static Dictionary<Block, int> NumberBlocks(IrFunction f)
    {
        var numbers = new Dictionary<Block, int>();
        for (int i = 0; i < f.Blocks.Count; i++) numbers.TryAdd(f.Blocks[i], i);
        return numbers;
    }

    private static StringBuilder AppendFunction(StringBuilder sb, IrFunction f)
    {
        var regs = NumberRegisters(f);
        var blocks = NumberBlocks(f);
        sb.Append($"func {f}(")
            .AppendJoin(", ", f.Params.Select(p => $"%{regs[p]}: {p.Type.Name()}"))
            .Append($") -> {f.ReturnType.Name()} {f.Kind.ToString().ToLowerInvariant()}");
        if (f.Instance is not null) sb.Append(" instance ").Append(f.Instance);
        if (f.Endpoint is not null) sb.Append(" endpoint ").Append(f.Endpoint);
        if (f.Location is { } at) sb.Append($" at {Quote(at.File)}:{at.Line}:{at.Column}");
        sb.Append(" {\n");
        foreach (var s in f.Slots) sb.Append($"  slot {s} {Quote(s.TypeText)} size {s.Size} align {s.Align}\n");
        for (int i = 0; i < f.Blocks.Count; i++)
        {
            sb.Append($"b{i}:\n");
            foreach (var ins in f.Blocks[i].Instructions)
            {
                sb.Append("  ");
                if (ins.Dest is { } d) sb.Append($"%{regs[d]}: {d.Type.Name()} = ");
                sb.Append(ins.Info.Name);
                for (int k = 0; k < ins.Operands.Length; k++)
                    sb.Append(k == 0 ? " " : ", ").Append(Operand(ins.Operands[k], regs, blocks));
                if (ins.Location is { } loc)
                    sb.Append(loc.File == f.Location?.File ? $" !{loc.Line}:{loc.Column}" : $" !{Quote(loc.File)}:{loc.Line}:{loc.Column}");
                sb.Append('\n');
            }
        }
        return sb.Append("}\n");
    }

    private static string Operand(Operand o, Dictionary<Register, int> regs, Dictionary<Block, int> blocks) => o switch
    {
        Register r => $"%{regs[r]}",
        Constant c => $"{Number(c.Bits, c.Type)}:{c.Type.Name()}",
        ObjectRef r => r.Target.ToString(),
        // A block of another function has no label here; the verifier reports it.
        BlockRef b => blocks.TryGetValue(b.Target, out var i) ? $"b{i}" : "b?",
        IntImm i => i.Value.ToString(CultureInfo.InvariantCulture),
        FieldRef r => r.Field.Name,
        EndpointRef e => e.Name,
        FunctionRef r => r.Target.ToString(),
        StringImm s => Quote(s.Text),
        _ => throw new ArgumentException($"unknown operand {o.GetType().Name}", nameof(o)),
    };

    /// <summary>A value in decimal: signed for signed types, unsigned otherwise (bool is 0 or 1).</summary>
    internal static string Number(ulong bits, IrType type)
    {
        var v = type.Normalize(bits);
        return type.IsSigned() ? ((long)v).ToString(CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A double-quoted string with \\ \" \n \t escaped and other control characters as \xHH.</summary>
    internal static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
            sb.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        return sb.Append('"').ToString();
    }
}
