using Baker.Compiler.IR;
using Baker.Compiler.Semantics;

namespace Baker.Compiler.Lowering;

/// <summary>
/// Lowers one function body (for one PPF instance) to blocks of IR: scalar locals and parameters
/// become registers, local aggregates become frame slots, control flow becomes branches. Statements
/// are here; expressions, places and built-ins are in the other parts of this class.
/// </summary>
internal sealed partial class FunctionLowering
{
    private readonly LoweringContext context;
    private readonly FunctionSymbol symbol;
    private readonly PpfInstance? instance;
    private readonly IrFunction function;
    private readonly IrBuilder b;
    private readonly Dictionary<VariableSymbol, Place> variables = new();
    private readonly Stack<(Block Break, Block? Continue)> loops = new();
    private readonly Register? resultPointer;
    private int temps;

    public FunctionLowering(LoweringContext context, FunctionSymbol symbol, PpfInstance? instance)
    {
        this.context = context;
        this.symbol = symbol;
        this.instance = instance;
        function = context.Callee(symbol, instance);
        b = new IrBuilder(function);
        int next = 0;
        if (IrLowering.IsAggregate(symbol.ReturnType)) resultPointer = function.Params[next++];
        foreach (var p in symbol.Parameters)
        {
            var r = function.Params[next++];
            variables[p] = IrLowering.IsAggregate(p.Type) ? new MemPlace(r, IrBuilder.U32(0), p.Type) : new RegPlace(r);
        }
    }

    public void Lower()
    {
        b.SetBlock(b.NewBlock());
        LowerStmt(symbol.Body!);
        if (!b.IsTerminated)
        {
            // Void functions fall off their end; a value-returning one cannot (the binder checks every path returns).
            if (function.ReturnType == IrType.Void) b.Emit(Op.Ret, null);
            else b.Emit(Op.Unreachable, null);
        }
    }

    private void At(Semantics.BoundNode node) =>
        b.Location = new SourceLocation(node.Span.Path, node.Span.Line, node.Span.Column);

    private void LowerStmt(BoundStmt s)
    {
        At(s);
        switch (s)
        {
            case BoundBlock block:
                foreach (var st in block.Statements) LowerStmt(st);
                break;
            case BoundLocalDecl d:
                LowerLocal(d);
                break;
            case BoundExprStmt e:
                LowerEffect(e.Expr);
                break;
            case BoundIf i:
            {
                var then = b.NewBlock();
                var join = b.NewBlock();
                var otherwise = i.Else is null ? join : b.NewBlock();
                LowerCondition(i.Condition, then, otherwise);
                b.SetBlock(then);
                LowerStmt(i.Then);
                b.Jump(join);
                if (i.Else is not null)
                {
                    b.SetBlock(otherwise);
                    LowerStmt(i.Else);
                    b.Jump(join);
                }
                b.SetBlock(join);
                break;
            }
            case BoundWhile w:
            {
                var head = b.NewBlock();
                var body = b.NewBlock();
                var exit = b.NewBlock();
                b.Jump(head);
                b.SetBlock(head);
                LowerCondition(w.Condition, body, exit);
                LowerLoopBody(w.Body, body, exit, head, head);
                b.SetBlock(exit);
                break;
            }
            case BoundDoWhile d:
            {
                var body = b.NewBlock();
                var test = b.NewBlock();
                var exit = b.NewBlock();
                b.Jump(body);
                LowerLoopBody(d.Body, body, exit, test, test);
                b.SetBlock(test);
                LowerCondition(d.Condition, body, exit);
                b.SetBlock(exit);
                break;
            }
            case BoundFor f:
            {
                foreach (var init in f.Init) LowerStmt(init);
                var head = b.NewBlock();
                var body = b.NewBlock();
                var step = b.NewBlock();
                var exit = b.NewBlock();
                b.Jump(head);
                b.SetBlock(head);
                if (f.Condition is null) b.Jump(body);
                else LowerCondition(f.Condition, body, exit);
                LowerLoopBody(f.Body, body, exit, step, step);
                b.SetBlock(step);
                foreach (var e in f.Step) LowerEffect(e);
                b.Jump(head);
                b.SetBlock(exit);
                break;
            }
            case BoundSwitch sw:
                LowerSwitch(sw);
                break;
            case BoundBreak:
                b.Jump(loops.Peek().Break);
                break;
            case BoundContinue:
                b.Jump(loops.First(l => l.Continue is not null).Continue!);
                break;
            case BoundReturn r:
                LowerReturn(r);
                break;
            default:
                throw new InvalidOperationException($"lowering: unexpected statement {s.GetType().Name}");
        }
    }

    private void LowerLoopBody(BoundStmt body, Block entry, Block exit, Block continueTarget, Block next)
    {
        b.SetBlock(entry);
        loops.Push((exit, continueTarget));
        LowerStmt(body);
        loops.Pop();
        b.Jump(next);
    }

    private void LowerLocal(BoundLocalDecl d)
    {
        var v = d.Variable;
        if (IrLowering.IsAggregate(v.Type))
        {
            // Slots are zero at function entry; an aggregate initialiser is a copy.
            var slot = NewSlot(v.Name, v.Type);
            var place = new MemPlace(new ObjectRef(slot), IrBuilder.U32(0), v.Type);
            variables[v] = place;
            if (d.Initializer is not null) CopyAggregate(place, LowerAggregate(d.Initializer));
            return;
        }
        var r = new Register(IrLowering.ToIr(v.Type), v.Name);
        variables[v] = new RegPlace(r);
        if (d.Initializer is not null) b.Emit(Op.Mov, r, Lower(d.Initializer));
        // A scalar without an initialiser starts at zero, so that every target computes the same thing.
        else if (v.Type is not HandleType) b.Emit(Op.Mov, r, IrBuilder.Const(0, r.Type));
    }

    private void LowerSwitch(BoundSwitch sw)
    {
        var value = Lower(sw.Value);
        var exit = b.NewBlock();
        var bodies = sw.Sections.Select(_ => b.NewBlock()).ToList();
        var operands = new List<Operand> { value, null! };
        Block? defaultBlock = null;
        for (int i = 0; i < sw.Sections.Length; i++)
        {
            var section = sw.Sections[i];
            if (section.IsDefault) defaultBlock = bodies[i];
            foreach (var label in section.Labels)
            {
                operands.Add(new IntImm((long)label));
                operands.Add(new BlockRef(bodies[i]));
            }
        }
        operands[1] = new BlockRef(defaultBlock ?? exit);
        b.Emit(Op.Switch, null, operands.ToArray());
        loops.Push((exit, null));
        for (int i = 0; i < sw.Sections.Length; i++)
        {
            b.SetBlock(bodies[i]);
            foreach (var st in sw.Sections[i].Body) LowerStmt(st);
            // An empty section shares the next one's body (stacked labels); a non-empty one ends in a jump already.
            b.Jump(i + 1 < bodies.Count ? bodies[i + 1] : exit);
        }
        loops.Pop();
        b.SetBlock(exit);
    }

    private void LowerReturn(BoundReturn r)
    {
        if (r.Value is null) { b.Emit(Op.Ret, null); return; }
        if (resultPointer is not null)
        {
            CopyAggregate(new MemPlace(resultPointer, IrBuilder.U32(0), r.Value.Type), LowerAggregate(r.Value));
            b.Emit(Op.Ret, null);
            return;
        }
        b.Emit(Op.Ret, null, b.Convert(Lower(r.Value), function.ReturnType));
    }

    private StorageObject NewSlot(string name, BakerType type)
    {
        var (size, align) = Binder.SizeOf(type);
        string unique = name;
        for (int n = 1; function.Slots.Any(s => s.Name == unique); n++) unique = $"{name}.{n}";
        var slot = new StorageObject(unique, StorageKind.Slot, type.ToString(), size, align);
        function.Slots.Add(slot);
        return slot;
    }

    private StorageObject NewTempSlot(BakerType type) => NewSlot($"tmp{temps++}", type);
}
