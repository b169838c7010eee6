using System.Globalization;
using System.Text.RegularExpressions;
using Baker.Runtime.Memory;

namespace Baker.Runtime.Isa;

/// <summary>An assembler or loader error at a source position, printed as <c>file(line,col): error BK51xx: message</c>.</summary>
public sealed record AsmDiagnostic(string Path, int Line, int Column, string Code, string Message)
{
    public override string ToString() => $"{Path}({Line},{Column}): error {Code}: {Message}";
}

/// <summary>What <see cref="Assembler.Assemble"/> returns: an image when there were no errors, and the errors.</summary>
public sealed class AssemblyResult
{
    public MicrocodeImage? Image { get; init; }
    public required IReadOnlyList<AsmDiagnostic> Diagnostics { get; init; }
    public bool Success => Image is not null && Diagnostics.Count == 0;
}

/// <summary>
/// Two-pass assembler for the microengine text form (runtime/docs/me-isa.md). Pass one collects sections,
/// labels and instruction lines; pass two encodes operands and checks the restrictions (A/B bank rule,
/// defer slots, transfer register ranges, control-store size).
/// </summary>
public static partial class Assembler
{
    public const int DefaultControlStoreSize = 4096;

    // Diagnostic codes of the assembler (BK51xx, back-end range of the catalog).
    public const string ErrSyntax = "BK5101";
    public const string ErrOperand = "BK5102";
    public const string ErrBankConflict = "BK5103";
    public const string ErrLabel = "BK5104";
    public const string ErrDefer = "BK5105";
    public const string ErrControlStore = "BK5106";
    public const string ErrRange = "BK5107";
    public const string ErrDirective = "BK5108";

    public static AssemblyResult Assemble(string text, string path, int controlStoreSize = DefaultControlStoreSize)
    {
        var st = new State(path);
        var lines = text.Replace("\r\n", "\n").Split('\n');
        Section? current = null;
        var sections = new List<Section>();
        var image = new MicrocodeImage();
        var seenMes = new Dictionary<int, int>();

        // Pass one: directives, labels, instruction lines.
        for (var ln = 0; ln < lines.Length; ln++)
        {
            var line = StripComment(lines[ln]);
            var lineNo = ln + 1;
            var pos = 0;
            while (true)
            {
                var m = LabelRx().Match(line, pos);
                if (!m.Success) break;
                var name = m.Groups[1].Value;
                if (current is null) st.Error(lineNo, m.Index + 1, ErrLabel, $"label '{name}' outside an .me section");
                else if (!current.Labels.TryAdd(name, current.Lines.Count))
                    st.Error(lineNo, m.Index + 1, ErrLabel, $"label '{name}' is defined twice in this .me section");
                pos = m.Index + m.Length;
            }
            var rest = line[pos..];
            var col0 = pos + (rest.Length - rest.TrimStart().Length) + 1;
            rest = rest.Trim();
            if (rest.Length == 0) continue;
            if (rest.StartsWith('.'))
            {
                var sec = Directive(st, rest, lineNo, col0, ref current, sections, image, seenMes);
                current = sec;
                continue;
            }
            if (current is null)
            {
                st.Error(lineNo, col0, ErrSyntax, "instruction outside an .me section (start one with '.me N')");
                continue;
            }
            current.Lines.Add((lineNo, col0, rest));
        }

        // Pass two: encode each section.
        foreach (var sec in sections)
        {
            var code = new Instruction[sec.Lines.Count];
            for (var i = 0; i < sec.Lines.Count; i++)
            {
                var (lineNo, col, txt) = sec.Lines[i];
                code[i] = EncodeLine(st, sec, txt, lineNo, col);
            }
            CheckDefer(st, sec, code);
            if (code.Length > controlStoreSize)
                st.Error(sec.Line, 1, ErrControlStore,
                    $"ME {string.Join(",", sec.Mes)}: {code.Length} instructions do not fit the control store of {controlStoreSize} instructions");
            var labels = sec.Labels.Select(kv => new Label(kv.Key, kv.Value))
                .OrderBy(l => l.Address).ThenBy(l => l.Name, StringComparer.Ordinal).ToList();
            foreach (var me in sec.Mes)
                image.Mes.Add(new MeCode { Me = me, ContextMask = sec.ContextMask, Code = code, Labels = labels });
        }
        image.Mes.Sort((x, y) => x.Me.CompareTo(y.Me));
        return new AssemblyResult { Image = st.Diags.Count == 0 ? image : null, Diagnostics = st.Diags };
    }

    private sealed class Section(List<int> mes, int line)
    {
        public List<int> Mes { get; } = mes;
        public int Line { get; } = line;
        public byte ContextMask = 0xff;
        public Dictionary<string, int> Labels { get; } = new(StringComparer.Ordinal);
        public List<(int Line, int Col, string Text)> Lines { get; } = [];
    }

    private sealed class State(string path)
    {
        public string Path { get; } = path;
        public List<AsmDiagnostic> Diags { get; } = [];
        public Dictionary<string, string> RegAliases { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, int> SigAliases { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, long> Equs { get; } = new(StringComparer.Ordinal);
        public void Error(int line, int col, string code, string msg) => Diags.Add(new AsmDiagnostic(Path, line, col, code, msg));
    }

    private sealed class AsmError(int col, string code, string message) : Exception(message)
    {
        public int Col { get; } = col;
        public string Code { get; } = code;
    }

    private static string StripComment(string line)
    {
        var i = line.IndexOf(';');
        var j = line.IndexOf("//", StringComparison.Ordinal);
        if (j >= 0 && (i < 0 || j < i)) i = j;
        return i >= 0 ? line[..i] : line;
    }

    [GeneratedRegex(@"\G\s*([A-Za-z_][A-Za-z0-9_.]*)\s*:(?!:)")]
    private static partial Regex LabelRx();

    // ---------------------------------------------------------------- directives

    private static Section? Directive(State st, string text, int line, int col, ref Section? current, List<Section> sections,
        MicrocodeImage image, Dictionary<int, int> seenMes)
    {
        var sp = text.IndexOfAny([' ', '\t']);
        var name = sp < 0 ? text : text[..sp];
        var arg = sp < 0 ? "" : text[(sp + 1)..].Trim();
        try
        {
            switch (name)
            {
                case ".me":
                    {
                        var mes = ParseList(arg, col, 0, 63);
                        foreach (var me in mes)
                            if (!seenMes.TryAdd(me, line))
                                throw new AsmError(col, ErrDirective, $"ME {me} already has code (line {seenMes[me]})");
                        var sec = new Section(mes, line);
                        sections.Add(sec);
                        return sec;
                    }
                case ".ctx":
                    {
                        if (current is null) throw new AsmError(col, ErrDirective, ".ctx outside an .me section");
                        byte mask = 0;
                        foreach (var c in ParseList(arg, col, 0, 7)) mask |= (byte)(1 << c);
                        current.ContextMask = mask;
                        return current;
                    }
                case ".reg":
                    {
                        var (n, v) = SplitAssign(arg, col);
                        st.RegAliases[n] = st.RegAliases.TryGetValue(v, out var inner) ? inner : v;
                        return current;
                    }
                case ".sig":
                    {
                        var (n, v) = SplitAssign(arg, col);
                        st.SigAliases[n] = ParseSignal(st, v, col);
                        return current;
                    }
                case ".equ":
                    {
                        var (n, v) = SplitAssign(arg, col);
                        st.Equs[n] = Eval(st, v, col);
                        return current;
                    }
                case ".ring":
                    {
                        // .ring scratch 0 base=0x100 size=256
                        var parts = arg.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                        if (parts.Length != 4) throw new AsmError(col, ErrDirective, "expected '.ring SPACE ID base=ADDR size=WORDS'");
                        var space = Space(parts[0], col);
                        if (space == MemorySpace.Dram) throw new AsmError(col, ErrDirective, "rings live in scratch or sram, not dram");
                        var id = (int)Eval(st, parts[1], col);
                        var b = (uint)Eval(st, KeyValue(parts[2], "base", col), col);
                        var size = (int)Eval(st, KeyValue(parts[3], "size", col), col);
                        if (size <= 0) throw new AsmError(col, ErrRange, "ring size must be positive");
                        image.Rings.Add(new RingDecl(space, id, b, size));
                        return current;
                    }
                case ".data":
                    {
                        // .data sram 0x100 = 1, 2, 3
                        var eq = arg.IndexOf('=');
                        if (eq < 0) throw new AsmError(col, ErrDirective, "expected '.data SPACE ADDR = WORD, ...'");
                        var head = arg[..eq].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                        if (head.Length != 2) throw new AsmError(col, ErrDirective, "expected '.data SPACE ADDR = WORD, ...'");
                        var space = Space(head[0], col);
                        var addr = (uint)Eval(st, head[1], col);
                        if ((addr & 3) != 0) throw new AsmError(col, ErrRange, $".data address 0x{addr:x} is not word aligned");
                        var words = arg[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries)
                            .Where(s => s.Length > 0).Select(s => (uint)Eval(st, s, col)).ToArray();
                        image.Data.Add(new DataInit(space, addr, words));
                        return current;
                    }
                case ".counter":
                case ".drop":
                case ".made":
                    {
                        var parts = arg.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                        if (parts.Length != 3) throw new AsmError(col, ErrDirective, $"expected '{name} NAME SPACE ADDR'");
                        if (image.Counters.Any(c => c.Name == parts[0])) throw new AsmError(col, ErrDirective, $"counter '{parts[0]}' is declared twice");
                        var addr = (uint)Eval(st, parts[2], col);
                        if ((addr & 3) != 0) throw new AsmError(col, ErrRange, $"{name} address 0x{addr:x} is not word aligned");
                        image.Counters.Add(new CounterDecl(parts[0], Space(parts[1], col), addr, Drop: name == ".drop", Made: name == ".made"));
                        return current;
                    }
                default:
                    throw new AsmError(col, ErrDirective, $"unknown directive '{name}'");
            }
        }
        catch (AsmError e)
        {
            st.Error(line, e.Col, e.Code, e.Message);
            return current;
        }
    }

    private static string KeyValue(string part, string key, int col)
    {
        var p = key + "=";
        if (!part.StartsWith(p, StringComparison.OrdinalIgnoreCase)) throw new AsmError(col, ErrDirective, $"expected '{key}=VALUE', found '{part}'");
        return part[p.Length..];
    }

    private static MemorySpace Space(string s, int col) =>
        MemorySpaceNames.TryParse(s, out var sp) ? sp : throw new AsmError(col, ErrDirective, $"unknown memory space '{s}' (scratch, sram, dram)");

    private static (string, string) SplitAssign(string arg, int col)
    {
        var eq = arg.IndexOf('=');
        string n, v;
        if (eq >= 0) { n = arg[..eq].Trim(); v = arg[(eq + 1)..].Trim(); }
        else
        {
            var parts = arg.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2) throw new AsmError(col, ErrDirective, "expected 'NAME = VALUE'");
            n = parts[0]; v = parts[1];
        }
        if (!Regex.IsMatch(n, @"^[A-Za-z_$][A-Za-z0-9_$]*$")) throw new AsmError(col, ErrDirective, $"bad name '{n}'");
        return (n, v);
    }

    private static List<int> ParseList(string arg, int col, int min, int max)
    {
        var result = new List<int>();
        foreach (var part in arg.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-');
            int lo, hi;
            if (dash > 0)
            {
                if (!int.TryParse(part[..dash], out lo) || !int.TryParse(part[(dash + 1)..], out hi))
                    throw new AsmError(col, ErrDirective, $"bad range '{part}'");
            }
            else if (int.TryParse(part, out lo)) hi = lo;
            else throw new AsmError(col, ErrDirective, $"bad number '{part}'");
            if (lo < min || hi > max || lo > hi) throw new AsmError(col, ErrRange, $"'{part}' is outside {min}..{max}");
            for (var i = lo; i <= hi; i++) if (!result.Contains(i)) result.Add(i);
        }
        if (result.Count == 0) throw new AsmError(col, ErrDirective, "expected a list such as 0-3 or 0,2");
        return result;
    }

    // ---------------------------------------------------------------- instructions

    private readonly record struct Clause(string Name, List<(string Text, int Col)> Args, bool HasBrackets, int Col);

    private static List<Clause> SplitClauses(string text, int col0)
    {
        var clauses = new List<Clause>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == ',')) i++;
            if (i >= text.Length) break;
            var start = i;
            while (i < text.Length && text[i] != '[' && text[i] != ',') i++;
            var name = text[start..i].Trim();
            var args = new List<(string, int)>();
            var hasBr = false;
            if (i < text.Length && text[i] == '[')
            {
                hasBr = true;
                i++;
                var depth = 0;
                var argStart = i;
                for (; i < text.Length; i++)
                {
                    var c = text[i];
                    if (c == '[') depth++;
                    else if (c == ']')
                    {
                        if (depth == 0) break;
                        depth--;
                    }
                    else if (c == ',' && depth == 0)
                    {
                        args.Add(ArgAt(text, argStart, i, col0));
                        argStart = i + 1;
                    }
                }
                if (i >= text.Length) throw new AsmError(col0 + start, ErrSyntax, $"missing ']' after '{name}['");
                var last = ArgAt(text, argStart, i, col0);
                if (last.Item1.Length > 0 || args.Count > 0) args.Add(last);
                i++;
            }
            if (name.Length == 0) throw new AsmError(col0 + start, ErrSyntax, "expected a mnemonic");
            clauses.Add(new Clause(name, args, hasBr, col0 + start));
        }
        return clauses;
    }

    private static (string, int) ArgAt(string text, int s, int e, int col0)
    {
        var raw = text[s..e];
        var lead = raw.Length - raw.TrimStart().Length;
        return (raw.Trim(), col0 + s + lead);
    }

    private static Instruction EncodeLine(State st, Section sec, string text, int line, int col0)
    {
        try
        {
            var clauses = SplitClauses(text, col0);
            var head = clauses[0];
            if (!InstructionSet.TryGet(head.Name, out var info))
                throw new AsmError(head.Col, ErrSyntax, $"unknown mnemonic '{head.Name}'");
            var ins = Encode(st, sec, info, head);
            foreach (var c in clauses.Skip(1))
            {
                switch (c.Name.ToLowerInvariant())
                {
                    case "defer":
                        {
                            Expect(c, 1);
                            var n = (int)Eval(st, c.Args[0].Text, c.Args[0].Col);
                            if (n < 1 || n > 3) throw new AsmError(c.Col, ErrDefer, "defer[n] takes 1..3 slots");
                            if (!ins.IsControlTransfer)
                                throw new AsmError(c.Col, ErrDefer, $"'{info.Mnemonic}' has no defer slots (only branches, ctx_arb and ctx_swap references)");
                            ins = ins with { Defer = (byte)n };
                            break;
                        }
                    case "sig_done":
                    case "ctx_swap":
                        {
                            if (ins.Op is not (Opcode.Scratch or Opcode.Sram or Opcode.Dram or Opcode.Hash))
                                throw new AsmError(c.Col, ErrSyntax, $"'{c.Name}' only follows a memory or hash reference");
                            if (ins.Signal != 0) throw new AsmError(c.Col, ErrSyntax, "only one completion signal per reference");
                            Expect(c, 1);
                            ins = ins with
                            {
                                Signal = (byte)ParseSignal(st, c.Args[0].Text, c.Args[0].Col),
                                Flags = ins.Flags | (c.Name.Equals("ctx_swap", StringComparison.OrdinalIgnoreCase) ? InstrFlags.CtxSwap : 0),
                            };
                            break;
                        }
                    default:
                        throw new AsmError(c.Col, ErrSyntax, $"unknown token '{c.Name}' (expected defer[n], sig_done[s] or ctx_swap[s])");
                }
            }
            if (ins.Defer != 0 && (ins.Op is Opcode.Scratch or Opcode.Sram or Opcode.Dram or Opcode.Hash) && (ins.Flags & InstrFlags.CtxSwap) == 0)
                throw new AsmError(col0, ErrDefer, "defer[n] on a reference needs ctx_swap[s]");
            // A ring wait does nothing but signal: without a signal the context could never learn of the entry.
            if (ins.Op is Opcode.Scratch or Opcode.Sram && ins.MemCmd == MemCmd.Wait && ins.Signal == 0)
                throw new AsmError(col0, ErrSyntax, "a ring wait needs sig_done[s] or ctx_swap[s]");
            return ins;
        }
        catch (AsmError e)
        {
            st.Error(line, e.Col, e.Code, e.Message);
            return new Instruction { Op = Opcode.Nop };
        }
    }

    private static void Expect(Clause c, int n)
    {
        if (c.Args.Count != n)
            throw new AsmError(c.Col, ErrSyntax, $"'{c.Name}' takes {n} operand{(n == 1 ? "" : "s")}, found {c.Args.Count}");
    }

    private static Instruction Encode(State st, Section sec, OpInfo info, Clause c)
    {
        var a = c.Args;
        switch (info.Op)
        {
            case Opcode.Nop:
            case Opcode.CamClear:
            case Opcode.Halt:
                if (c.HasBrackets) throw new AsmError(c.Col, ErrSyntax, $"'{info.Mnemonic}' takes no operands");
                return new Instruction { Op = info.Op };
            case Opcode.Alu:
            case Opcode.AluShf:
                {
                    Expect(c, info.Op == Opcode.Alu ? 4 : 5);
                    var op = Array.FindIndex(InstructionSet.AluOpTokens, t => t.Equals(a[2].Text, StringComparison.OrdinalIgnoreCase));
                    if (op < 0) throw new AsmError(a[2].Col, ErrSyntax, $"unknown ALU operation '{a[2].Text}' (+ +carry - -carry B ~B AND AND~ OR XOR)");
                    var dst = Dest(st, a[0], allowNone: true);
                    var unary = (AluOp)op is AluOp.B or AluOp.NotB;
                    var srcA = Source(st, a[1], allowNone: unary);
                    if (!unary && srcA.IsNone) throw new AsmError(a[1].Col, ErrOperand, $"ALU operation '{a[2].Text}' needs operand A");
                    var srcB = Source(st, a[3]);
                    Bank(c, srcA, srcB);
                    var shift = info.Op == Opcode.AluShf ? ParseShift(a[4]) : 0;
                    return new Instruction { Op = info.Op, Sub = (byte)op, Dst = dst, A = unary ? Operand.None : srcA, B = srcB, Imm = shift };
                }
            case Opcode.Immed:
                Expect(c, 2);
                return new Instruction { Op = Opcode.Immed, Dst = Dest(st, a[0]), Imm = (int)Eval(st, a[1].Text, a[1].Col) };
            case Opcode.LdField:
            case Opcode.LdFieldWClr:
                {
                    if (a.Count is not (3 or 4)) throw new AsmError(c.Col, ErrSyntax, $"'{info.Mnemonic}' takes 3 or 4 operands");
                    if (!Regex.IsMatch(a[1].Text, "^[01]{4}$")) throw new AsmError(a[1].Col, ErrOperand, "byte mask must be 4 binary digits such as 0011");
                    var dst = Dest(st, a[0]);
                    var src = Source(st, a[2]);
                    if (info.Op == Opcode.LdField) Bank(c, AsSource(dst), src);
                    return new Instruction
                    {
                        Op = info.Op, Sub = Convert.ToByte(a[1].Text, 2), Dst = dst, B = src, Imm = a.Count == 4 ? ParseShift(a[3]) : 0,
                    };
                }
            case Opcode.Extract:
            case Opcode.Insert:
                {
                    Expect(c, 4);
                    var dst = Dest(st, a[0]);
                    var src = Source(st, a[1]);
                    var lsb = (int)Eval(st, a[2].Text, a[2].Col);
                    var width = (int)Eval(st, a[3].Text, a[3].Col);
                    if (lsb < 0 || lsb > 31 || width < 1 || lsb + width > 32)
                        throw new AsmError(a[2].Col, ErrRange, $"field lsb {lsb} width {width} is outside a 32-bit word");
                    if (info.Op == Opcode.Insert) Bank(c, AsSource(dst), src);
                    return new Instruction { Op = info.Op, Dst = dst, A = src, Imm = lsb, Imm2 = width };
                }
            case Opcode.Ffs:
                Expect(c, 2);
                return new Instruction { Op = Opcode.Ffs, Dst = Dest(st, a[0]), B = Source(st, a[1]) };
            case Opcode.Br:
                Expect(c, 1);
                return new Instruction { Op = Opcode.Br, Sub = info.Sub, Target = Target(sec, a[0]) };
            case Opcode.BrBset:
            case Opcode.BrBclr:
                {
                    Expect(c, 3);
                    var bit = (int)Eval(st, a[1].Text, a[1].Col);
                    if (bit is < 0 or > 31) throw new AsmError(a[1].Col, ErrRange, "bit number must be 0..31");
                    return new Instruction { Op = info.Op, A = Source(st, a[0]), Imm = bit, Target = Target(sec, a[2]) };
                }
            case Opcode.BrCtx:
                {
                    Expect(c, 2);
                    var ctx = (int)Eval(st, a[0].Text, a[0].Col);
                    if (ctx is < 0 or > 7) throw new AsmError(a[0].Col, ErrRange, "context number must be 0..7");
                    return new Instruction { Op = Opcode.BrCtx, Imm = ctx, Target = Target(sec, a[1]) };
                }
            case Opcode.BrState:
            case Opcode.BrNState:
                {
                    Expect(c, 2);
                    var s = Array.FindIndex(InstructionSet.StateTokens, t => t.Equals(a[0].Text, StringComparison.OrdinalIgnoreCase));
                    if (s < 0) throw new AsmError(a[0].Col, ErrOperand, $"unknown state '{a[0].Text}' (nn_empty, nn_full)");
                    return new Instruction { Op = info.Op, Sub = (byte)s, Target = Target(sec, a[1]) };
                }
            case Opcode.Bal:
                {
                    Expect(c, 2);
                    var d = Dest(st, a[0]);
                    if (!d.IsGpr) throw new AsmError(a[0].Col, ErrOperand, "bal links into a general-purpose register");
                    return new Instruction { Op = Opcode.Bal, Dst = d, Target = Target(sec, a[1]) };
                }
            case Opcode.Rtn:
                {
                    Expect(c, 1);
                    var s = Source(st, a[0]);
                    if (!s.IsGpr) throw new AsmError(a[0].Col, ErrOperand, "rtn takes the return address from a general-purpose register");
                    return new Instruction { Op = Opcode.Rtn, A = s };
                }
            case Opcode.CtxArb:
                {
                    if (a.Count == 0) throw new AsmError(c.Col, ErrSyntax, "ctx_arb needs signals, 'voluntary' or 'kill'");
                    if (a.Count == 1 && a[0].Text.Equals("voluntary", StringComparison.OrdinalIgnoreCase))
                        return new Instruction { Op = Opcode.CtxArb, Flags = InstrFlags.Voluntary };
                    if (a.Count == 1 && a[0].Text.Equals("kill", StringComparison.OrdinalIgnoreCase))
                        return new Instruction { Op = Opcode.CtxArb, Flags = InstrFlags.Kill };
                    ushort mask = 0;
                    foreach (var s in a) mask |= (ushort)(1 << ParseSignal(st, s.Text, s.Col));
                    return new Instruction { Op = Opcode.CtxArb, SigMask = mask };
                }
            case Opcode.Scratch:
            case Opcode.Sram:
            case Opcode.Dram:
                return EncodeMem(st, info, c);
            case Opcode.Hash:
                {
                    Expect(c, 2);
                    var x = Source(st, a[0]);
                    if (x.Kind != OperandKind.Xfer) throw new AsmError(a[0].Col, ErrOperand, "hash works on SRAM transfer registers ($n)");
                    var n = (int)Eval(st, a[1].Text, a[1].Col);
                    if (n < 1 || n > 8 || x.Value + n > 16) throw new AsmError(a[1].Col, ErrRange, "hash count must be 1..8 within $0..$15");
                    return new Instruction { Op = Opcode.Hash, Dst = x, Imm = n };
                }
            case Opcode.CamLookup:
                Expect(c, 2);
                return new Instruction { Op = info.Op, Dst = Dest(st, a[0]), B = Source(st, a[1]) };
            case Opcode.CamWrite:
                {
                    Expect(c, 3);
                    var e = Source(st, a[0]);
                    var t = Source(st, a[1]);
                    Bank(c, e, t);
                    var s = (int)Eval(st, a[2].Text, a[2].Col);
                    if (s is < 0 or > 15) throw new AsmError(a[2].Col, ErrRange, "CAM state must be 0..15");
                    return new Instruction { Op = info.Op, A = e, B = t, Imm = s };
                }
            case Opcode.CamReadTag:
                Expect(c, 2);
                return new Instruction { Op = info.Op, Dst = Dest(st, a[0]), A = Source(st, a[1]) };
            case Opcode.Crc:
                {
                    Expect(c, 3);
                    var k = Array.FindIndex(InstructionSet.CrcTokens, t => t.Equals(a[0].Text, StringComparison.OrdinalIgnoreCase));
                    if (k < 0) throw new AsmError(a[0].Col, ErrOperand, "CRC kind must be crc_32 or crc_ccitt");
                    return new Instruction { Op = Opcode.Crc, Sub = (byte)k, Dst = Dest(st, a[1], allowNone: true), B = Source(st, a[2]) };
                }
            case Opcode.LocalCsrRd:
                Expect(c, 2);
                return new Instruction { Op = info.Op, Dst = Dest(st, a[0]), Imm = Csr(a[1]) };
            case Opcode.LocalCsrWr:
                Expect(c, 2);
                return new Instruction { Op = info.Op, Imm = Csr(a[0]), B = Source(st, a[1]) };
            default:
                throw new AsmError(c.Col, ErrSyntax, $"'{info.Mnemonic}' is not encodable");
        }
    }

    private static int Csr((string Text, int Col) a)
    {
        var i = Array.FindIndex(InstructionSet.CsrTokens, t => t.Equals(a.Text, StringComparison.OrdinalIgnoreCase));
        return i >= 0 ? i : throw new AsmError(a.Col, ErrOperand, $"unknown local CSR '{a.Text}'");
    }

    private static Instruction EncodeMem(State st, OpInfo info, Clause c)
    {
        var a = c.Args;
        Expect(c, 5);
        var cmd = Array.FindIndex(InstructionSet.MemCmdTokens, t => t.Equals(a[0].Text, StringComparison.OrdinalIgnoreCase));
        if (cmd < 0) throw new AsmError(a[0].Col, ErrSyntax, $"unknown memory command '{a[0].Text}'");
        var mc = (MemCmd)cmd;
        if (!InstructionSet.MemCmdAllowed(info.Op, mc))
            throw new AsmError(a[0].Col, ErrOperand, $"{info.Mnemonic} does not support '{a[0].Text}' (dram: read, write)");
        var xferKind = info.Op == Opcode.Dram ? OperandKind.DXfer : OperandKind.Xfer;
        var x = a[1].Text == "--" ? Operand.None : Source(st, a[1]);
        var needsX = InstructionSet.MemCmdReturnsData(mc) || InstructionSet.MemCmdSendsData(mc);
        if (needsX && x.Kind != xferKind)
            throw new AsmError(a[1].Col, ErrOperand,
                $"{info.Mnemonic}[{a[0].Text}] needs a {(xferKind == OperandKind.DXfer ? "DRAM transfer register ($$n)" : "SRAM transfer register ($n)")}");
        if (!needsX && !x.IsNone && x.Kind != xferKind)
            throw new AsmError(a[1].Col, ErrOperand, "expected a transfer register or --");
        var srcA = Source(st, a[2], allowNone: true);
        var srcB = Source(st, a[3], allowNone: true);
        if (!srcA.IsNone && !srcB.IsNone) Bank(c, srcA, srcB);
        var count = (int)Eval(st, a[4].Text, a[4].Col);
        var atomic = mc is not (MemCmd.Read or MemCmd.Write or MemCmd.Put or MemCmd.Get or MemCmd.Wait);
        if (atomic && count != 1) throw new AsmError(a[4].Col, ErrRange, $"atomic '{a[0].Text}' works on one word (count 1)");
        if (mc == MemCmd.Wait && count != 1) throw new AsmError(a[4].Col, ErrRange, "a ring wait has count 1");
        var words = info.Op == Opcode.Dram ? count * 2 : count;
        var maxCount = info.Op == Opcode.Dram ? 8 : 16;
        if (count < 1 || count > maxCount)
            throw new AsmError(a[4].Col, ErrRange, info.Op == Opcode.Dram ? "dram count is 1..8 units of 8 bytes" : $"{info.Mnemonic} count is 1..16 words");
        if (!x.IsNone && x.Value + words > 16)
            throw new AsmError(a[1].Col, ErrRange, $"{words} transfer registers from {x} run past the 16 of a context");
        return new Instruction { Op = info.Op, Sub = (byte)mc, Dst = x, A = srcA, B = srcB, Imm = count };
    }

    private static void Bank(Clause c, Operand x, Operand y)
    {
        var bx = x.Bank;
        var by = y.Bank;
        if (bx == BankClass.None || by == BankClass.None || bx != by) return;
        var why = bx switch
        {
            BankClass.A => "both operands are in GPR bank A; move one to bank B",
            BankClass.B => "both operands are in GPR bank B; move one to bank A",
            BankClass.Immediate => "both operands are immediates; load one with immed",
            _ => $"both operands come from the {bx} bank, which has one read port",
        };
        throw new AsmError(c.Col, ErrBankConflict, $"'{c.Name}': {why} ({x}, {y})");
    }

    private static Operand AsSource(Operand dst) => dst;

    private static int Target(Section sec, (string Text, int Col) a)
    {
        if (sec.Labels.TryGetValue(a.Text, out var pc)) return pc;
        throw new AsmError(a.Col, ErrLabel, $"undefined label '{a.Text}'");
    }

    private static int ParseShift((string Text, int Col) a)
    {
        var m = Regex.Match(a.Text.Replace(" ", ""), @"^(<<rot|>>rot|>>>|<<|>>)(\d+)$");
        if (!m.Success) throw new AsmError(a.Col, ErrSyntax, $"bad shift '{a.Text}' (<<n, >>n, >>>n, <<rotn, >>rotn)");
        var n = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        if (n > 31) throw new AsmError(a.Col, ErrRange, "shift amount must be 0..31");
        var kind = m.Groups[1].Value switch
        {
            "<<" => ShiftKind.Left,
            ">>" => ShiftKind.Right,
            ">>>" => ShiftKind.ArithRight,
            "<<rot" => ShiftKind.RotLeft,
            _ => ShiftKind.RotRight,
        };
        return Instruction.PackShift(kind, n);
    }

    private static int ParseSignal(State st, string text, int col)
    {
        if (st.SigAliases.TryGetValue(text, out var s)) return s;
        var m = Regex.Match(text, @"^(?:sig)?(\d+)$");
        if (!m.Success) throw new AsmError(col, ErrOperand, $"unknown signal '{text}' (1..15, sigN or a .sig name)");
        var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        if (n is < 1 or > 15) throw new AsmError(col, ErrRange, "signal numbers are 1..15");
        return n;
    }

    [GeneratedRegex(@"^(@?)([ab])(\d+)$")]
    private static partial Regex GprRx();

    [GeneratedRegex(@"^\*l\$index([01])(\+\+|--|\[(\d+)\])?$")]
    private static partial Regex LmRx();

    private static Operand Register(State st, string text, int col)
    {
        if (st.RegAliases.TryGetValue(text, out var alias)) text = alias;
        var m = GprRx().Match(text);
        if (m.Success)
        {
            var n = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            var abs = m.Groups[1].Value == "@";
            if (n > (abs ? 127 : 15)) throw new AsmError(col, ErrRange, $"'{text}' is out of range ({(abs ? "@a0..@a127" : "a0..a15, b0..b15 per context")})");
            var bankA = m.Groups[2].Value == "a";
            return new Operand(abs ? (bankA ? OperandKind.AbsA : OperandKind.AbsB) : (bankA ? OperandKind.GprA : OperandKind.GprB), n);
        }
        m = Regex.Match(text, @"^(\$\$|\$)(\d+)$");
        if (m.Success)
        {
            var n = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            if (n > 15) throw new AsmError(col, ErrRange, $"'{text}': a context has transfer registers 0..15");
            return new Operand(m.Groups[1].Value == "$$" ? OperandKind.DXfer : OperandKind.Xfer, n);
        }
        m = Regex.Match(text, @"^n(\d+)$");
        if (m.Success)
        {
            var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            if (n > 127) throw new AsmError(col, ErrRange, $"'{text}': next-neighbor registers are n0..n127");
            return new Operand(OperandKind.Nn, n);
        }
        if (text == "*n$index++") return new Operand(OperandKind.NnRing, 0);
        m = LmRx().Match(text);
        if (m.Success)
        {
            var idx = m.Groups[1].Value == "1" ? 1 : 0;
            var mode = m.Groups[2].Value switch { "++" => LmMode.PostInc, "--" => LmMode.PostDec, _ => LmMode.Offset };
            var off = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
            if (off > 15) throw new AsmError(col, ErrRange, "local memory offset is 0..15 words");
            return Operand.Lm(idx, off, mode);
        }
        return Operand.None;
    }

    private static Operand Dest(State st, (string Text, int Col) a, bool allowNone = false)
    {
        if (a.Text == "--")
            return allowNone ? Operand.None : throw new AsmError(a.Col, ErrOperand, "this instruction needs a destination");
        var r = Register(st, a.Text, a.Col);
        if (r.IsNone) throw new AsmError(a.Col, ErrOperand, $"'{a.Text}' is not a writable register");
        return r;
    }

    private static Operand Source(State st, (string Text, int Col) a, bool allowNone = false)
    {
        if (a.Text == "--")
            return allowNone ? Operand.None : throw new AsmError(a.Col, ErrOperand, "this operand cannot be empty");
        if (a.Text.Length == 0) throw new AsmError(a.Col, ErrOperand, "missing operand");
        var r = Register(st, a.Text, a.Col);
        if (!r.IsNone) return r;
        var v = Eval(st, a.Text, a.Col);
        if (v < int.MinValue || v > uint.MaxValue) throw new AsmError(a.Col, ErrRange, $"immediate {a.Text} does not fit 32 bits");
        return Operand.Imm((int)(uint)(v & 0xffffffff));
    }

    // ---------------------------------------------------------------- expressions: numbers, .equ names, + - | & ^ << >> ~ ( )

    private static long Eval(State st, string text, int col)
    {
        var p = new ExprParser(st, text, col);
        var v = p.Or();
        p.SkipWs();
        if (!p.AtEnd) throw new AsmError(col, ErrOperand, $"cannot read '{text}' as a register or constant expression");
        return v;
    }

    private sealed class ExprParser(State st, string s, int col)
    {
        private int _i;
        public bool AtEnd => _i >= s.Length;
        public void SkipWs() { while (_i < s.Length && char.IsWhiteSpace(s[_i])) _i++; }
        private bool Eat(string t)
        {
            SkipWs();
            if (string.CompareOrdinal(s, _i, t, 0, t.Length) == 0) { _i += t.Length; return true; }
            return false;
        }

        public long Or()
        {
            var v = Xor();
            while (Eat("|")) v |= Xor();
            return v;
        }

        private long Xor()
        {
            var v = And();
            while (Eat("^")) v ^= And();
            return v;
        }

        private long And()
        {
            var v = Shift();
            while (Eat("&")) v &= Shift();
            return v;
        }

        private long Shift()
        {
            var v = Sum();
            while (true)
            {
                if (Eat("<<")) v <<= (int)Sum();
                else if (Eat(">>")) v >>= (int)Sum();
                else return v;
            }
        }

        private long Sum()
        {
            var v = Unary();
            while (true)
            {
                if (Eat("+")) v += Unary();
                else if (Eat("-")) v -= Unary();
                else if (Eat("*")) v *= Unary();
                else return v;
            }
        }

        private long Unary()
        {
            if (Eat("-")) return -Unary();
            if (Eat("~")) return ~Unary() & 0xffffffffL;
            if (Eat("("))
            {
                var v = Or();
                if (!Eat(")")) throw new AsmError(col, ErrOperand, $"missing ')' in '{s}'");
                return v;
            }
            SkipWs();
            var m = Regex.Match(s[_i..], @"^(0x[0-9a-fA-F_]+|0b[01_]+|\d+|[A-Za-z_][A-Za-z0-9_]*)");
            if (!m.Success) throw new AsmError(col, ErrOperand, $"cannot read '{s}' as a register or constant expression");
            _i += m.Length;
            var t = m.Value.Replace("_", "");
            if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) return long.Parse(t[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (t.StartsWith("0b", StringComparison.OrdinalIgnoreCase)) return Convert.ToInt64(t[2..], 2);
            if (char.IsDigit(t[0])) return long.Parse(t, CultureInfo.InvariantCulture);
            if (st.Equs.TryGetValue(m.Value, out var e)) return e;
            throw new AsmError(col, ErrOperand, $"unknown name '{m.Value}' (not a register, alias or .equ constant)");
        }
    }

    // ---------------------------------------------------------------- defer slot check

    private static void CheckDefer(State st, Section sec, Instruction[] code)
    {
        for (var pc = 0; pc < code.Length; pc++)
        {
            var n = code[pc].Defer;
            for (var k = 1; k <= n; k++)
            {
                var (line, col, _) = sec.Lines[pc];
                if (pc + k >= code.Length)
                {
                    st.Error(line, col, ErrDefer, $"defer[{n}] needs {n} instructions after the branch, the section ends first");
                    break;
                }
                if (code[pc + k].IsControlTransfer)
                {
                    var (l2, c2, _) = sec.Lines[pc + k];
                    st.Error(l2, c2, ErrDefer, "a branch, ctx_arb, ctx_swap reference or halt cannot sit in a defer slot");
                }
            }
        }
    }
}
