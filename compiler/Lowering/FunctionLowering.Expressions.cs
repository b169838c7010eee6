using Baker.Compiler.IR;
using Baker.Compiler.Semantics;
using Baker.Compiler.Syntax;

namespace Baker.Compiler.Lowering;

/// <summary>Where a value lives: a register, memory (a storage object or a pointer, plus a byte offset), a header field, or a metadata field.</summary>
internal abstract record Place;
internal sealed record RegPlace(Register Register) : Place;
/// <summary><see cref="Location"/> is an <see cref="ObjectRef"/> or a <c>ptr</c> value.</summary>
internal sealed record MemPlace(Operand Location, Value Offset, BakerType Type) : Place;
internal sealed record FieldPlace(Value Handle, Value HeaderOffset, ProtocolField Field) : Place;
internal sealed record MetaPlace(Value Handle, IrMetaField Field) : Place;

internal sealed partial class FunctionLowering
{
    // While lowering a protocol's demux expression: the header being measured.
    private (Value Handle, Value Offset)? demuxHeader;

    /// <summary>Lowers an expression for its effects only (an expression statement, a for-step).</summary>
    private void LowerEffect(BoundExpr e)
    {
        switch (e)
        {
            case BoundAssignment a: Assign(a, needValue: false); break;
            case BoundIncrement i: Increment(i, needValue: false); break;
            case BoundCompoundAssignment ca: CompoundAssign(ca, needValue: false); break;
            default: LowerOrVoid(e); break;
        }
    }

    /// <summary>Lowers an expression that has a value (scalar, pointer or handle).</summary>
    private Value Lower(BoundExpr e) =>
        LowerOrVoid(e) ?? throw new InvalidOperationException($"lowering: '{e.GetType().Name}' at {e.Span.Short} has no value");

    private Value? LowerOrVoid(BoundExpr e)
    {
        At(e);
        switch (e)
        {
            case BoundLiteral l:
                return IrBuilder.Const(l.Value, IrLowering.ToIr(l.Type));
            case BoundCall or BoundConditional when IrLowering.IsAggregate(e.Type):
                LowerAggregate(e);          // evaluated for its effects; the value is not used
                return null;
            case BoundVariable or BoundIndex or BoundStructField or BoundDeref or BoundPacketField or BoundMetaField:
                return Read(LowerPlace(e));
            case BoundHeaderField h:
            {
                var (handle, offset) = demuxHeader ?? throw new InvalidOperationException("lowering: a header field outside a demux expression");
                return ReadField(handle, offset, h.Field);
            }
            case BoundUnary u:
                return LowerUnary(u);
            case BoundBinary bin when bin.Op is BinaryOp.LogicalAnd or BinaryOp.LogicalOr:
                return Materialize(e);
            case BoundBinary bin:
                return LowerBinary(bin);
            case BoundConditional c:
            {
                var result = new Register(IrLowering.ToIr(c.Type));
                Diamond(c.Condition, () => b.Emit(Op.Mov, result, Lower(c.WhenTrue)), () => b.Emit(Op.Mov, result, Lower(c.WhenFalse)));
                return result;
            }
            case BoundConversion c:
            {
                var v = Lower(c.Operand);
                return c.Type is HandleType ? v : b.Convert(v, IrLowering.ToIr(c.Type));
            }
            case BoundAssignment a:
                return Assign(a, needValue: true);
            case BoundCompoundAssignment ca:
                return CompoundAssign(ca, needValue: true);
            case BoundIncrement i:
                return Increment(i, needValue: true);
            case BoundAddressOf a:
                return AddressOf(LowerPlace(a.Operand));
            case BoundCall call:
                return Call(call, resultSlot: null);
            case BoundIntrinsicCall ic:
                return LowerIntrinsic(ic);
            default:
                throw new InvalidOperationException($"lowering: unexpected expression {e.GetType().Name} at {e.Span.Short}");
        }
    }

    // ---- conditions ----------------------------------------------------------------------------

    /// <summary>Branches on a condition, short-circuiting &amp;&amp;, || and !.</summary>
    private void LowerCondition(BoundExpr cond, Block whenTrue, Block whenFalse)
    {
        switch (cond)
        {
            case BoundBinary { Op: BinaryOp.LogicalAnd } and:
            {
                var right = b.NewBlock();
                LowerCondition(and.Left, right, whenFalse);
                b.SetBlock(right);
                LowerCondition(and.Right, whenTrue, whenFalse);
                return;
            }
            case BoundBinary { Op: BinaryOp.LogicalOr } or:
            {
                var right = b.NewBlock();
                LowerCondition(or.Left, whenTrue, right);
                b.SetBlock(right);
                LowerCondition(or.Right, whenTrue, whenFalse);
                return;
            }
            case BoundUnary { Op: UnaryOp.LogicalNot } not:
                LowerCondition(not.Operand, whenFalse, whenTrue);
                return;
        }
        var v = Lower(cond);
        if (v.Type != IrType.Bool) v = b.Def(Op.Ne, IrType.Bool, v, IrBuilder.Const(0, v.Type));
        b.Branch(v, whenTrue, whenFalse);
    }

    /// <summary>A short-circuit condition used as a value: 1 or 0 in a bool register.</summary>
    private Value Materialize(BoundExpr cond)
    {
        var result = new Register(IrType.Bool);
        Diamond(cond, () => b.Emit(Op.Mov, result, IrBuilder.Const(1, IrType.Bool)), () => b.Emit(Op.Mov, result, IrBuilder.Const(0, IrType.Bool)));
        return result;
    }

    /// <summary>if (cond) whenTrue else whenFalse, both joining after: the shape of ?: and of a materialised condition.</summary>
    private void Diamond(BoundExpr cond, Action whenTrue, Action whenFalse)
    {
        var t = b.NewBlock();
        var f = b.NewBlock();
        var join = b.NewBlock();
        LowerCondition(cond, t, f);
        b.SetBlock(t);
        whenTrue();
        b.Jump(join);
        b.SetBlock(f);
        whenFalse();
        b.Jump(join);
        b.SetBlock(join);
    }

    // ---- operators -----------------------------------------------------------------------------

    private Value LowerUnary(BoundUnary u)
    {
        var v = Lower(u.Operand);
        var type = IrLowering.ToIr(u.Type);
        return u.Op switch
        {
            UnaryOp.Plus => b.Convert(v, type),
            UnaryOp.Negate => b.Def(Op.Neg, type, b.Convert(v, type)),
            UnaryOp.BitNot => b.Def(Op.Not, type, b.Convert(v, type)),
            UnaryOp.LogicalNot => v.Type == IrType.Bool ? b.Def(Op.Not, IrType.Bool, v) : b.Def(Op.Eq, IrType.Bool, v, IrBuilder.Const(0, v.Type)),
            _ => throw new InvalidOperationException($"lowering: unary '{u.Op}' at {u.Span.Short}"),
        };
    }

    private static Op ArithmeticOp(BinaryOp op) => op switch
    {
        BinaryOp.Add => Op.Add, BinaryOp.Sub => Op.Sub, BinaryOp.Mul => Op.Mul, BinaryOp.Div => Op.Div, BinaryOp.Rem => Op.Rem,
        BinaryOp.BitAnd => Op.And, BinaryOp.BitOr => Op.Or, BinaryOp.BitXor => Op.Xor, BinaryOp.Shl => Op.Shl, BinaryOp.Shr => Op.Shr,
        BinaryOp.Lt => Op.Lt, BinaryOp.Le => Op.Le, BinaryOp.Gt => Op.Gt, BinaryOp.Ge => Op.Ge, BinaryOp.Eq => Op.Eq, BinaryOp.Ne => Op.Ne,
        _ => throw new InvalidOperationException($"lowering: '{op}' is not an arithmetic operator"),
    };

    private Value LowerBinary(BoundBinary bin)
    {
        var left = Lower(bin.Left);
        var right = Lower(bin.Right);
        return Arithmetic(ArithmeticOp(bin.Op), left, right, IrLowering.ToIr(bin.Type));
    }

    /// <summary>One arithmetic or comparison op; operands are brought to the operation type (shift counts excepted).</summary>
    private Value Arithmetic(Op op, Value left, Value right, IrType resultType)
    {
        bool comparison = op is Op.Eq or Op.Ne or Op.Lt or Op.Le or Op.Gt or Op.Ge;
        if (comparison)
        {
            if (left.Type != right.Type && left.Type.IsScalar() && right.Type.IsScalar()) right = b.Convert(right, left.Type);
            return b.Def(op, IrType.Bool, left, right);
        }
        left = b.Convert(left, resultType);
        if (op is not (Op.Shl or Op.Shr)) right = b.Convert(right, resultType);
        return b.Def(op, resultType, left, right);
    }

    // ---- assignment ----------------------------------------------------------------------------

    private Value? Assign(BoundAssignment a, bool needValue)
    {
        if (IrLowering.IsAggregate(a.Target.Type))
        {
            var target = LowerAggregate(a.Target);
            CopyAggregate(target, LowerAggregate(a.Value));
            return null;
        }
        var place = LowerPlace(a.Target);
        var value = Lower(a.Value);
        Write(place, value);
        if (!needValue) return null;
        return place is RegPlace r ? r.Register : Stored(place, value);
    }

    /// <summary>
    /// The target's new value after <paramref name="value"/> was written to it, which is the value of an
    /// assignment, a compound assignment or a prefix ++/--: a narrow header field keeps only its width.
    /// </summary>
    private Value Stored(Place place, Value value) =>
        place is FieldPlace f && f.Field.Width < f.Field.Type.Bits
            ? b.Def(Op.And, value.Type, value, IrBuilder.Const((1UL << f.Field.Width) - 1, value.Type))
            : value;

    private Value? CompoundAssign(BoundCompoundAssignment a, bool needValue)
    {
        var place = LowerPlace(a.Target);
        var old = Read(place);
        var value = Lower(a.Value);
        var opType = IrLowering.ToIr(a.OperationType);
        var result = Arithmetic(ArithmeticOp(a.Op), b.Convert(old, opType), value, opType);
        var converted = b.Convert(result, IrLowering.ToIr(a.Target.Type));
        Write(place, converted);
        return needValue ? Stored(place, converted) : null;
    }

    private Value? Increment(BoundIncrement i, bool needValue)
    {
        var place = LowerPlace(i.Target);
        var old = Read(place);
        // The old value of a register variable must be saved before the register is overwritten.
        if (needValue && !i.IsPrefix && old is Register) old = b.Def(Op.Mov, old.Type, old);
        var updated = b.Def(i.IsIncrement ? Op.Add : Op.Sub, old.Type, old, IrBuilder.Const(1, old.Type));
        Write(place, updated);
        return needValue ? (i.IsPrefix ? Stored(place, updated) : old) : null;
    }

    // ---- places --------------------------------------------------------------------------------

    private Place LowerPlace(BoundExpr e)
    {
        At(e);
        switch (e)
        {
            case BoundVariable v:
                return v.Variable.Kind switch
                {
                    VariableKind.Global => new MemPlace(new ObjectRef(context.Globals[v.Variable]), IrBuilder.U32(0), v.Type),
                    VariableKind.State => new MemPlace(new ObjectRef(context.State[(instance!, v.Variable)]), IrBuilder.U32(0), v.Type),
                    _ => variables[v.Variable],
                };
            case BoundIndex ix:
            {
                var array = LowerAggregate(ix.Array);
                var length = ((ArrayType)ix.Array.Type).Length;
                var index = b.Convert(Lower(ix.Index), IrType.U64);
                // An index out of range drops the packet (reason bounds); a constant in range needs no check.
                if (index is not Constant c || c.Bits >= (ulong)length)
                    b.Emit(Op.Bounds, null, index, new IntImm(length));
                var elementSize = Binder.SizeOf(ix.Type).Size;
                return new MemPlace(array.Location, b.AddOffset(array.Offset, b.MulOffset(index, elementSize)), ix.Type);
            }
            case BoundStructField f:
            {
                var target = LowerAggregate(f.Target);
                return new MemPlace(target.Location, b.AddOffset(target.Offset, IrBuilder.U32(f.Field.Offset)), f.Type);
            }
            case BoundDeref d:
                return new MemPlace(Lower(d.Pointer), IrBuilder.U32(0), d.Type);
            case BoundPacketField pf:
            {
                var handle = Lower(pf.Handle);
                return new FieldPlace(handle, b.Def(Op.PktOffset, IrType.I32, handle), pf.Field);
            }
            case BoundMetaField mf:
                return new MetaPlace(Lower(mf.Handle), context.Module.Metadata[mf.Field.Index]);
            default:
                throw new InvalidOperationException($"lowering: '{e.GetType().Name}' at {e.Span.Short} is not a place");
        }
    }

    /// <summary>An aggregate value: a place in memory, or a temporary slot holding a call's result or a conditional's.</summary>
    private MemPlace LowerAggregate(BoundExpr e)
    {
        At(e);
        switch (e)
        {
            case BoundCall call:
            {
                var slot = new MemPlace(new ObjectRef(NewTempSlot(call.Type)), IrBuilder.U32(0), call.Type);
                Call(call, slot);
                return slot;
            }
            case BoundConditional c:
            {
                var slot = new MemPlace(new ObjectRef(NewTempSlot(c.Type)), IrBuilder.U32(0), c.Type);
                Diamond(c.Condition, () => CopyAggregate(slot, LowerAggregate(c.WhenTrue)), () => CopyAggregate(slot, LowerAggregate(c.WhenFalse)));
                return slot;
            }
            case BoundAssignment a:
            {
                var target = LowerAggregate(a.Target);
                CopyAggregate(target, LowerAggregate(a.Value));
                return target;
            }
            default:
                return LowerPlace(e) as MemPlace ?? throw new InvalidOperationException($"lowering: aggregate '{e.GetType().Name}' at {e.Span.Short} is not in memory");
        }
    }

    private Value Read(Place place) => place switch
    {
        RegPlace r => r.Register,
        MemPlace m => b.Def(Op.Load, IrLowering.ToIr(m.Type), m.Location, m.Offset),
        FieldPlace f => ReadField(f.Handle, f.HeaderOffset, f.Field),
        MetaPlace m => b.Def(Op.MetaGet, m.Field.Type, m.Handle, new FieldRef(m.Field)),
        _ => throw new InvalidOperationException("lowering: unknown place"),
    };

    private Value ReadField(Value handle, Value headerOffset, ProtocolField field) =>
        b.Def(Op.PktGet, IrTypes.Unsigned(field.Width), handle, headerOffset, new IntImm(field.BitOffset), new IntImm(field.Width));

    private void Write(Place place, Value value)
    {
        switch (place)
        {
            case RegPlace r: b.Emit(Op.Mov, r.Register, b.Convert(value, r.Register.Type)); break;
            case MemPlace m: b.Emit(Op.Store, null, m.Location, m.Offset, b.Convert(value, IrLowering.ToIr(m.Type))); break;
            case FieldPlace f:
                b.Emit(Op.PktSet, null, f.Handle, f.HeaderOffset, new IntImm(f.Field.BitOffset), new IntImm(f.Field.Width),
                    b.Convert(value, IrTypes.Unsigned(f.Field.Width)));
                break;
            case MetaPlace m: b.Emit(Op.MetaSet, null, m.Handle, new FieldRef(m.Field), b.Convert(value, m.Field.Type)); break;
        }
    }

    private void CopyAggregate(MemPlace target, MemPlace source)
    {
        var size = Binder.SizeOf(target.Type).Size;
        b.Emit(Op.Copy, null, target.Location, target.Offset, source.Location, source.Offset, new IntImm(size));
    }

    private Value AddressOf(Place place)
    {
        if (place is not MemPlace m) throw new InvalidOperationException("lowering: the address of a value not in memory");
        if (m.Location is ObjectRef o) return b.Def(Op.Addr, IrType.Ptr, o, m.Offset);
        var pointer = (Value)m.Location;
        return m.Offset is Constant { Bits: 0 } ? pointer : b.Def(Op.PtrAdd, IrType.Ptr, pointer, m.Offset);
    }

    // ---- calls ---------------------------------------------------------------------------------

    private Value? Call(BoundCall call, MemPlace? resultSlot)
    {
        var callee = context.Callee(call.Function, instance);
        var operands = new List<Operand> { new FunctionRef(callee) };
        if (resultSlot is not null) operands.Add(AddressOf(resultSlot));
        foreach (var (arg, param) in call.Args.Zip(call.Function.Parameters))
        {
            if (IrLowering.IsAggregate(param.Type))
            {
                // By value: the callee gets a pointer to a copy of its own.
                var copy = new MemPlace(new ObjectRef(NewTempSlot(param.Type)), IrBuilder.U32(0), param.Type);
                CopyAggregate(copy, LowerAggregate(arg));
                operands.Add(AddressOf(copy));
            }
            else operands.Add(b.Convert(Lower(arg), IrLowering.ToIr(param.Type)));
        }
        At(call);
        var dest = callee.ReturnType == IrType.Void ? null : new Register(callee.ReturnType);
        b.Emit(Op.Call, dest, operands.ToArray());
        return dest;
    }
}
