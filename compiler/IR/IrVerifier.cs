namespace Baker.Compiler.IR;

/// <summary>Thrown by <see cref="IrVerifier.VerifyOrThrow"/>; the message names the pass and lists every problem.</summary>
public sealed class IrVerifyException(string afterPass, IReadOnlyList<string> problems)
    : Exception($"IR verification failed after pass '{afterPass}':\n  " + string.Join("\n  ", problems))
{
    public string AfterPass { get; } = afterPass;
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// An op's signature from the op table, split into the fixed operand kinds and the optional or
/// repeated group that may close it (<c>v?</c>, <c>v*</c>, <c>[i b]*</c>: the table only ever puts such a group last).
/// </summary>
internal sealed record OpSignature(string Fixed, string Tail, bool TailRepeats)
{
    private static readonly OpSignature[] ByOp = OpTable.All.OrderBy(r => r.Op).Select(r => Parse(r.Signature)).ToArray();

    public static OpSignature Of(Op op) => ByOp[(int)op];

    private static OpSignature Parse(string signature)
    {
        var s = signature.Replace(" ", "");
        int open = s.IndexOf('[');
        if (open >= 0) return new(s[..open], s[(open + 1)..^2], s[^1] == '*');
        if (s.EndsWith('*') || s.EndsWith('?')) return new(s[..^2], s[^2..^1], s[^1] == '*');
        return new(s, "", false);
    }

    /// <summary>The kind of each of <paramref name="count"/> operands, or null when no operand list of that length fits.</summary>
    public string? Kinds(int count)
    {
        int rest = count - Fixed.Length;
        bool fits = rest == 0 || (rest > 0 && Tail.Length > 0 && (TailRepeats ? rest % Tail.Length == 0 : rest == Tail.Length));
        if (!fits) return null;
        return string.Concat(Enumerable.Range(0, count).Select(i => i < Fixed.Length ? Fixed[i] : Tail[(i - Fixed.Length) % Tail.Length]));
    }

    public static bool Fits(char kind, Operand o) => kind switch
    {
        'v' => o is Value,
        'l' => o is Value or ObjectRef,
        'o' => o is ObjectRef,
        'b' => o is BlockRef,
        'i' => o is IntImm,
        'f' => o is FieldRef,
        'e' => o is EndpointRef,
        'F' => o is FunctionRef,
        's' => o is StringImm,
        _ => false,
    };

    public static string Describe(char kind) => kind switch
    {
        'v' => "a value",
        'l' => "a location (object, slot or ptr value)",
        'o' => "a storage object",
        'b' => "a block",
        'i' => "an integer immediate",
        'f' => "a metadata field",
        'e' => "an endpoint",
        'F' => "a function",
        _ => "a string",
    };
}

/// <summary>
/// Checks the structural and type rules of the IR (docs/ir.md) and reports every problem found,
/// each naming the function, block and instruction. Operand kinds come from the op table; the
/// per-op checks below are the type constraints that the table's result rules cannot express.
/// </summary>
public static class IrVerifier
{
    public static IReadOnlyList<string> Verify(IrModule m)
    {
        var problems = new List<string>();
        VerifyModule(m, problems);
        foreach (var f in m.Functions) new FunctionVerifier(m, f, problems).Run();
        return problems;
    }

    public static void VerifyOrThrow(IrModule m, string afterPass)
    {
        var problems = Verify(m);
        if (problems.Count > 0) throw new IrVerifyException(afterPass, problems);
    }

    private static IEnumerable<string> Duplicates(IEnumerable<string> names) =>
        names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);

    private static string Name(FunctionKind kind) => kind.ToString().ToLowerInvariant();

    private static void VerifyModule(IrModule m, List<string> p)
    {
        for (int i = 0; i < m.Metadata.Count; i++)
            if (m.Metadata[i].Index != i) p.Add($"module: metadata field {m.Metadata[i].Name} has index {m.Metadata[i].Index}, expected {i}");
        foreach (var n in Duplicates(m.Metadata.Select(f => f.Name))) p.Add($"module: metadata field {n} is defined more than once");
        foreach (var n in Duplicates(m.Objects.Select(o => o.Name))) p.Add($"module: object @{n} is defined more than once");
        foreach (var n in Duplicates(m.Functions.Select(f => f.Name))) p.Add($"module: function @{n} is defined more than once");
        foreach (var n in Duplicates(m.Instances.Select(i => i.Path))) p.Add($"module: instance {n} is defined more than once");
        foreach (var g in m.Channels.GroupBy(c => c.Id).Where(g => g.Count() > 1)) p.Add($"module: channel {g.Key} is defined more than once");
        foreach (var o in m.Objects)
        {
            if (o.Kind == StorageKind.Slot) p.Add($"module: object {o} is a frame slot, not a global or state object");
            else if (o.Kind == StorageKind.State && (o.Owner is null || m.Instance(o.Owner) is null))
                p.Add($"module: state object {o} has no owner instance in the module");
        }

        foreach (var inst in m.Instances)
        {
            var where = $"instance {inst.Path}";
            foreach (var n in Duplicates(inst.Endpoints.Select(e => e.Name))) p.Add($"{where}: endpoint {n} is defined more than once");
            foreach (var e in inst.Endpoints.Where(e => e.Process is not null))
            {
                var f = e.Process!;
                if (!e.IsInput) p.Add($"{where}: output endpoint {e.Name} has a process function");
                else if (!m.Functions.Contains(f)) p.Add($"{where}: process function {f} of endpoint {e.Name} is not in the module");
                else if (f.Kind != FunctionKind.Process || f.Params.Count != 1 || f.Params[0].Type != IrType.Pkt)
                    p.Add($"{where}: {f} serves endpoint {e.Name} but is not a process function with exactly one pkt parameter");
            }
            var owned = inst.Controls.Select(c => (Function: c, Kind: FunctionKind.Control)).ToList();
            if (inst.Init is not null) owned.Insert(0, (inst.Init, FunctionKind.Init));
            foreach (var (f, kind) in owned)
            {
                if (!m.Functions.Contains(f)) p.Add($"{where}: {Name(kind)} function {f} is not in the module");
                else if (f.Kind != kind) p.Add($"{where}: {f} is listed as {Name(kind)} but is a {Name(f.Kind)} function");
            }
        }

        foreach (var c in m.Channels)
            foreach (var (end, source) in new[] { (c.From, true), (c.To, false) })
            {
                // A driver end is rx as a source and tx as a target by construction.
                if (end.IsDriver) continue;
                var inst = m.Instance(end.Instance!);
                var ep = inst?.Endpoint(end.Endpoint ?? "");
                if (inst is null) p.Add($"channel {c.Id}: no instance {end.Instance}");
                else if (ep is null) p.Add($"channel {c.Id}: instance {end.Instance} has no endpoint {end.Endpoint}");
                else if (ep.IsInput == source)
                    p.Add($"channel {c.Id}: {end.Describe(source)} is an {(ep.IsInput ? "input" : "output")}, but a channel runs from an output (or rx) to an input (or tx)");
            }
    }

    private sealed class FunctionVerifier(IrModule m, IrFunction f, List<string> problems)
    {
        private readonly Dictionary<Register, int> numbers = IrPrinter.NumberRegisters(f);
        private readonly Dictionary<Block, int> blocks = IrPrinter.NumberBlocks(f);
        private readonly HashSet<Register> assigned = f.Params.Concat(f.Blocks.SelectMany(b => b.Instructions).Select(i => i.Dest).OfType<Register>()).ToHashSet();
        private string where = "";

        private void Fail(string message) => problems.Add($"{where}: {message}");

        public void Run()
        {
            where = f.ToString();
            if (f.Blocks.Count == 0) Fail("function has no blocks");
            if (blocks.Count != f.Blocks.Count) Fail("a block is listed more than once");
            foreach (var n in Duplicates(f.Slots.Select(s => s.Name))) Fail($"slot ${n} is defined more than once");
            foreach (var s in f.Slots.Where(s => s.Kind != StorageKind.Slot)) Fail($"slot list holds {s}, which is not a frame slot");
            for (int bi = 0; bi < f.Blocks.Count; bi++)
            {
                var block = f.Blocks[bi];
                where = $"{f}, b{bi}";
                if (block.Instructions.Count == 0) { Fail("block is empty"); continue; }
                if (!block.Instructions[^1].Info.IsTerminator) Fail("block does not end in a terminator");
                for (int ii = 0; ii < block.Instructions.Count; ii++)
                {
                    var ins = block.Instructions[ii];
                    where = $"{f}, b{bi}, instruction {ii} ({ins.Info.Name})";
                    if (ins.Info.IsTerminator && ii != block.Instructions.Count - 1) Fail("terminator before the end of the block");
                    Check(ins);
                }
            }
        }

        private string Show(Value v) => v is Register r ? $"%{numbers[r]}: {r.Type.Name()}" : $"a {v.Type.Name()} constant";

        private void Check(Instruction ins)
        {
            var kinds = OpSignature.Of(ins.Op).Kinds(ins.Operands.Length);
            if (kinds is null) { Fail($"{ins.Operands.Length} operands do not fit the signature '{ins.Info.Signature}'"); return; }
            bool kindsFit = true;
            for (int i = 0; i < kinds.Length; i++)
                if (!OpSignature.Fits(kinds[i], ins.Operands[i]))
                {
                    Fail($"operand {i + 1} must be {OpSignature.Describe(kinds[i])}");
                    kindsFit = false;
                }
            if (!kindsFit) return;
            CheckReferences(ins);
            CheckDestination(ins);
            CheckOperandRoles(ins, kinds);
            CheckTypes(ins);
        }

        private void CheckReferences(Instruction ins)
        {
            foreach (var o in ins.Operands)
                switch (o)
                {
                    case BlockRef b when !blocks.ContainsKey(b.Target): Fail("branches to a block of another function"); break;
                    case ObjectRef { Target: { Kind: StorageKind.Slot } t } when !f.Slots.Contains(t): Fail($"{t} is not a slot of this function"); break;
                    case ObjectRef { Target: { Kind: not StorageKind.Slot } t } when !m.Objects.Contains(t): Fail($"{t} is not an object of the module"); break;
                    case FieldRef r when !m.Metadata.Contains(r.Field): Fail($"metadata field {r.Field.Name} is not in the module"); break;
                    case FunctionRef r when !m.Functions.Contains(r.Target): Fail($"{r.Target} is not a function of the module"); break;
                    case Register r when !assigned.Contains(r): Fail($"register %{numbers[r]} is used but never assigned"); break;
                    case Constant c when !c.Type.IsScalar(): Fail($"a constant cannot have type {c.Type.Name()}"); break;
                }
        }

        private void CheckDestination(Instruction ins)
        {
            bool wanted = ins.Op == Op.Call ? ((FunctionRef)ins.Operands[0]).Target.ReturnType != IrType.Void : ins.Info.HasResult;
            if (wanted && ins.Dest is null) Fail("needs a destination register");
            else if (!wanted && ins.Dest is not null) Fail($"produces no value but has destination %{numbers[ins.Dest]}");
            else if (ins.Dest is { Type: IrType.Void }) Fail("destination register has type void");
        }

        /// <summary>Rules that follow from an operand's place in the signature: locations, byte offsets, packet handles.</summary>
        private void CheckOperandRoles(Instruction ins, string kinds)
        {
            bool packetOp = ins.Info.Name.StartsWith("pkt.", StringComparison.Ordinal);
            bool handleOp = (packetOp && ins.Op != Op.PktCreate) || ins.Info.Name.StartsWith("meta.", StringComparison.Ordinal) || ins.Op == Op.Put;
            int handle = handleOp ? kinds.IndexOf('v') : -1;
            for (int i = 0; i < kinds.Length; i++)
            {
                if (ins.Operands[i] is not Value v) continue;
                if (kinds[i] == 'l') Need(v, v.Type == IrType.Ptr, "a location", "ptr");
                else if (i > 0 && kinds[i - 1] is 'l' or 'o') Need(v, v.Type.IsInteger(), "a byte offset", "an integer");
                else if (i == handle) Need(v, v.Type == IrType.Pkt, "a packet handle", "pkt");
                // The value written by pkt.set may be a bool (a one-bit field); every other pkt operand is a number.
                else if (ins.Op == Op.PktSet && i == 4) Need(v, v.Type.IsScalar(), "the value", "a scalar");
                else if (packetOp) Need(v, v.Type.IsInteger(), "a header offset, index or length", "an integer");
            }
        }

        private void Need(Value v, bool ok, string role, string expected)
        {
            if (!ok) Fail($"{role} must be {expected}, not {Show(v)}");
        }

        private void NeedResult(Instruction ins, bool ok, string expected)
        {
            if (ins.Dest is { } d && !ok) Fail($"result %{numbers[d]} must be {expected}, not {d.Type.Name()}");
        }

        private void CheckTypes(Instruction ins)
        {
            var result = ins.Dest?.Type ?? IrType.Void;
            var values = ins.Operands.OfType<Value>().ToList();
            switch (ins.Info.Result)
            {
                case ResultRule.Same:
                    // mov also copies ptr and pkt values: handle variables are registers assigned more than once.
                    var type = values[0].Type;
                    Need(values[0], type.IsScalar() || (ins.Op == Op.Mov && type is IrType.Ptr or IrType.Pkt), "the operand", "a scalar");
                    for (int i = 1; i < values.Count; i++)
                        if (i == 1 && ins.Op is Op.Shl or Op.Shr) Need(values[i], values[i].Type.IsInteger(), "the shift amount", "an integer");
                        else Need(values[i], values[i].Type == type, $"operand {i + 1}", $"{type.Name()} like operand 1");
                    NeedResult(ins, result == type, type.Name());
                    break;
                case ResultRule.Bool or ResultRule.Ptr or ResultRule.Pkt or ResultRule.U8 or ResultRule.U32 or ResultRule.U64 or ResultRule.I32:
                    var fixedType = Enum.Parse<IrType>(ins.Info.Result.ToString());
                    NeedResult(ins, result == fixedType, fixedType.Name());
                    break;
            }

            switch (ins.Op)
            {
                case Op.Eq or Op.Ne:
                    Need(values[0], values[0].Type.IsScalar() || values[0].Type is IrType.Ptr or IrType.Pkt, "operand 1", "a scalar, ptr or pkt");
                    Need(values[1], values[1].Type == values[0].Type, "operand 2", $"{values[0].Type.Name()} like operand 1");
                    break;
                case Op.Lt or Op.Le or Op.Gt or Op.Ge:
                    Need(values[0], values[0].Type.IsScalar(), "operand 1", "a scalar");
                    Need(values[1], values[1].Type == values[0].Type, "operand 2", $"{values[0].Type.Name()} like operand 1");
                    break;
                case Op.Conv:
                    Need(values[0], values[0].Type.IsScalar(), "the operand", "a scalar");
                    NeedResult(ins, result.IsScalar(), "a scalar");
                    break;
                case Op.Hash32 or Op.Hash64 or Op.Trace:
                    foreach (var v in values) Need(v, v.Type.IsScalar(), ins.Op == Op.Trace ? "a traced value" : "the hashed value", "a scalar");
                    break;
                case Op.Crc32:
                    Need(values[0], values[0].Type.IsInteger(), "the operand", "an integer");
                    if (Imm(ins, 1) is < 1 or > 8) Fail($"byte count {Imm(ins, 1)} is not in 1..8");
                    break;
                case Op.Bounds:
                    Need(values[0], values[0].Type.IsInteger(), "the index", "an integer");
                    if (Imm(ins, 1) <= 0) Fail($"bound {Imm(ins, 1)} is not positive");
                    break;
                case Op.PtrAdd:
                    Need(values[0], values[0].Type == IrType.Ptr, "the pointer", "ptr");
                    Need(values[1], values[1].Type.IsInteger(), "a byte offset", "an integer");
                    break;
                case Op.Load:
                    NeedResult(ins, result.IsScalar() || result == IrType.Ptr, "a scalar or ptr");
                    break;
                case Op.Store:
                    Need(values[^1], values[^1].Type.IsScalar() || values[^1].Type == IrType.Ptr, "the stored value", "a scalar or ptr");
                    break;
                case Op.Copy:
                    if (Imm(ins, 4) <= 0) Fail($"byte count {Imm(ins, 4)} is not positive");
                    break;
                case Op.PktGet or Op.PktSet:
                    long bit = Imm(ins, 2), width = Imm(ins, 3);
                    if (bit < 0) Fail($"bit offset {bit} is negative");
                    if (width is < 1 or > 64) Fail($"width {width} is not in 1..64");
                    else if (ins.Op == Op.PktGet) NeedResult(ins, result == IrTypes.Unsigned((int)width), $"{IrTypes.Unsigned((int)width).Name()} for width {width}");
                    break;
                case Op.MetaGet:
                    var field = ((FieldRef)ins.Operands[1]).Field;
                    NeedResult(ins, result == field.Type, $"{field.Type.Name()}, the type of field {field.Name}");
                    break;
                case Op.MetaSet:
                    field = ((FieldRef)ins.Operands[1]).Field;
                    Need(values[1], values[1].Type == field.Type, "the value", $"{field.Type.Name()}, the type of field {field.Name}");
                    break;
                case Op.Put:
                    CheckPut(((EndpointRef)ins.Operands[0]).Name);
                    break;
                case Op.Call:
                    CheckCall(ins, ((FunctionRef)ins.Operands[0]).Target, values, result);
                    break;
                case Op.Br:
                    Need(values[0], values[0].Type == IrType.Bool, "the condition", "bool");
                    break;
                case Op.Switch:
                    Need(values[0], values[0].Type.IsInteger(), "the switch value", "an integer");
                    foreach (var g in ins.Operands.OfType<IntImm>().GroupBy(c => c.Value).Where(g => g.Count() > 1))
                        Fail($"case {g.Key} is listed more than once");
                    break;
                case Op.Ret:
                    if (f.ReturnType == IrType.Void && values.Count > 0) Fail("returns a value from a void function");
                    else if (f.ReturnType != IrType.Void && values.Count == 0) Fail($"returns no value from a function returning {f.ReturnType.Name()}");
                    else if (values.Count > 0) Need(values[0], values[0].Type == f.ReturnType, "the returned value", f.ReturnType.Name());
                    break;
            }
        }

        private static long Imm(Instruction ins, int i) => ((IntImm)ins.Operands[i]).Value;

        private void CheckPut(string endpoint)
        {
            if (f.Instance is null) Fail($"put to {endpoint} in a function that belongs to no instance");
            else if (m.Instance(f.Instance) is not { } inst) Fail($"the function's instance {f.Instance} is not in the module");
            else if (inst.Endpoint(endpoint) is not { IsInput: false }) Fail($"instance {inst.Path} has no output endpoint {endpoint}");
        }

        private void CheckCall(Instruction ins, IrFunction callee, List<Value> args, IrType result)
        {
            if (args.Count != callee.Params.Count) Fail($"{callee} takes {callee.Params.Count} arguments, not {args.Count}");
            else
                for (int i = 0; i < args.Count; i++)
                    Need(args[i], args[i].Type == callee.Params[i].Type, $"argument {i + 1}", callee.Params[i].Type.Name());
            if (callee.ReturnType != IrType.Void) NeedResult(ins, result == callee.ReturnType, $"{callee.ReturnType.Name()}, the return type of {callee}");
        }
    }
}
