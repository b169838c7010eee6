using System.Collections.Immutable;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Syntax;

namespace Baker.Compiler.Semantics;

public sealed partial class BodyBinder
{
    internal BoundExpr BindExpr(Expr e) => e switch
    {
        IntLiteralExpr i => new BoundLiteral(i.Value, LiteralType(i), i.Span),
        BoolLiteralExpr b => new BoundLiteral(b.Value ? 1UL : 0UL, ScalarType.Bool, b.Span),
        StringLiteralExpr s => Error(DiagnosticCatalog.StringNotAllowed, s.Span),
        NameExpr n => BindName(n),
        CallExpr c => BindCall(c),
        IndexExpr i => BindIndex(i),
        MemberExpr m => BindMember(m),
        SizeofExpr s => BindSizeof(s),
        CastExpr c => BindCast(c),
        ConditionalExpr c => BindConditional(c),
        UnaryExpr u => BindUnary(u),
        BinaryExpr b => BindBinary(b),
        AssignExpr a => BindAssign(a),
        _ => new BoundError(e.Span),
    };

    private static ScalarType LiteralType(IntLiteralExpr i) => i.Kind switch
    {
        LiteralKind.Ipv4 => ScalarType.U32,
        LiteralKind.Mac => ScalarType.U64,
        LiteralKind.Char => ScalarType.U8,
        _ => ScalarArithmetic.LiteralType(i.Value),
    };

    private BoundError Error(DiagnosticDescriptor d, SourceSpan span, params object[] args)
    {
        Report(d, span, args);
        return new BoundError(span);
    }

    private BoundExpr BindName(NameExpr n)
    {
        switch (Lookup(n.Name))
        {
            case VariableSymbol v: return new BoundVariable(v, n.Span);
            case ConstSymbol c: return new BoundLiteral(c.Value, c.Type, n.Span);
            case ProtocolField f when DemuxProtocol is not null: return new BoundHeaderField(f, n.Span);
            case EndpointSymbol ep:
                return Error(DiagnosticCatalog.NotAllowedHere, n.Span, $"endpoint '{ep.Name}' can only be named as the first argument of channel_put");
            case ProtocolSymbol p:
                return Error(DiagnosticCatalog.NotAllowedHere, n.Span, $"protocol '{p.Name}' is a type; it can be named in packet_encap, packet_create and sizeof, or as a handle type '{p.Name}*'");
            case null:
                string hint = Binder.BuiltinNames.Contains(n.Name) ? " as a value (it is a built-in; call it)" : "";
                return Error(DiagnosticCatalog.UndeclaredName, n.Span, n.Name, hint);
            case var other:
                return Error(DiagnosticCatalog.NotAllowedHere, n.Span, $"'{n.Name}' is a {KindOf(other)}, not a value");
        }
    }

    private static string KindOf(Symbol s) => s switch
    {
        FunctionSymbol => "function",
        VariableSymbol => "variable",
        ConstSymbol => "constant",
        EndpointSymbol => "endpoint",
        StructSymbol => "struct type",
        PpfSymbol => "PPF",
        ModuleSymbol m => m.IsApp ? "app" : "module",
        _ => "name",
    };

    // ---- lvalues -----------------------------------------------------------------------------

    private static bool IsLvalue(BoundExpr e) => e switch
    {
        BoundVariable => true,
        BoundIndex i => IsLvalue(i.Array),
        BoundStructField f => IsLvalue(f.Target),
        BoundDeref or BoundPacketField or BoundMetaField => true,
        _ => false,
    };

    /// <summary>Whether '&' may take the address: storage rooted in a global or PPF state (or reached through a pointer).</summary>
    private static string? AddressProblem(BoundExpr e) => e switch
    {
        BoundVariable { Variable.IsStorage: true } => null,
        BoundVariable v => v.Variable.Kind == VariableKind.Parameter ? $"parameter '{v.Variable.Name}'" : $"local '{v.Variable.Name}'",
        BoundIndex i => AddressProblem(i.Array),
        BoundStructField f => AddressProblem(f.Target),
        BoundDeref => null,
        BoundPacketField => "a protocol field",
        BoundMetaField => "a metadata field",
        _ => "a value that is not stored",
    };

    private BoundExpr RequireAssignable(BoundExpr target, Expr syntax)
    {
        if (target.Type.IsError) return target;
        if (syntax is NameExpr n && Lookup(n.Name) is ConstSymbol)
            return Error(DiagnosticCatalog.AssignToConstant, syntax.Span, n.Name);
        if (!IsLvalue(target)) return Error(DiagnosticCatalog.NotAssignable, syntax.Span, "this expression");
        if (target.Type is ArrayType) return Error(DiagnosticCatalog.ArrayAssignment, syntax.Span);
        return target;
    }

    // ---- member access, indexing ---------------------------------------------------------------

    private BoundExpr BindIndex(IndexExpr i)
    {
        var target = BindExpr(i.Target);
        var index = BindExpr(i.Index);
        if (target.Type.IsError || index.Type.IsError) return new BoundError(i.Span);
        if (target.Type is PointerType) return Error(DiagnosticCatalog.PointerArithmetic, i.Span, "[]");
        if (target.Type is not ArrayType a) return Error(DiagnosticCatalog.BadOperands, i.Span, "[]", $"a '{target.Type}' (only arrays are indexed)");
        if (index.Type is not ScalarType { IsInteger: true } && index.Type != ScalarType.Bool)
            return Error(DiagnosticCatalog.TypeMismatch, i.Index.Span, index.Type, "an integer index", "");
        return new BoundIndex(target, ConvertScalar(index, ScalarArithmetic.Promote((ScalarType)index.Type)), a.Element, i.Span);
    }

    private BoundExpr BindMember(MemberExpr m)
    {
        // h->meta.f : a metadata field of the packet behind handle h.
        if (!m.Arrow && m.Target is MemberExpr { Arrow: true, Member.Text: "meta" } meta)
        {
            var handle = BindExpr(meta.Target);
            if (handle.Type.IsError) return new BoundError(m.Span);
            if (handle.Type is HandleType)
            {
                var field = binder.Program.MetadataField(m.Member.Text);
                if (field is null)
                    return Error(DiagnosticCatalog.UnknownField, m.Member.Span, "the metadata",
                        m.Member.Text + "; declare it in a 'metadata { ... }' block");
                return new BoundMetaField(handle, field, m.Span);
            }
            return BindMemberOf(BindMemberOf(handle, meta), m);
        }
        return BindMemberOf(BindExpr(m.Target), m);
    }

    private BoundExpr BindMemberOf(BoundExpr target, MemberExpr m)
    {
        if (target.Type.IsError) return new BoundError(m.Span);
        string name = m.Member.Text;
        if (m.Arrow)
        {
            switch (target.Type)
            {
                case HandleType { Protocol: null }:
                    return Error(DiagnosticCatalog.UnknownField, m.Member.Span, "a 'packet*' handle",
                        name + "; view it as a protocol first (assign it to a 'P*' variable)");
                case HandleType h when name == "meta":
                    return Error(DiagnosticCatalog.NotAllowedHere, m.Span, "metadata is read field by field: write 'h->meta.<field>'");
                case HandleType h:
                    var pf = h.Protocol!.Field(name);
                    if (pf is not null) return new BoundPacketField(target, pf, m.Span);
                    if (binder.Program.MetadataField(name) is not null)
                        return Error(DiagnosticCatalog.MetaNotProtocol, m.Member.Span,
                            $"'{name}' is a metadata field, not a field of protocol '{h.Protocol.Name}': write '->meta.{name}'");
                    return Error(DiagnosticCatalog.UnknownField, m.Member.Span, $"protocol '{h.Protocol.Name}'", name);
                case PointerType { Pointee: StructType st }:
                    var sf = st.Symbol.Field(name);
                    return sf is null
                        ? Error(DiagnosticCatalog.UnknownField, m.Member.Span, $"struct '{st.Symbol.Name}'", name)
                        : new BoundStructField(new BoundDeref(target, st, target.Span), sf, m.Span);
                default:
                    return Error(DiagnosticCatalog.BadOperands, m.Span, "->", $"a '{target.Type}' (it takes a packet handle or a pointer to a struct)");
            }
        }
        if (target.Type is StructType s)
        {
            var f = s.Symbol.Field(name);
            return f is null ? Error(DiagnosticCatalog.UnknownField, m.Member.Span, $"struct '{s.Symbol.Name}'", name) : new BoundStructField(target, f, m.Span);
        }
        string hint = target.Type is HandleType or PointerType ? $"a '{target.Type}' (use '->')" : $"a '{target.Type}'";
        return Error(DiagnosticCatalog.BadOperands, m.Span, ".", hint);
    }

    // ---- sizeof, casts, ?: -------------------------------------------------------------------

    private BoundExpr BindSizeof(SizeofExpr s)
    {
        if (s.Type.PointerDepth == 0 && binder.LookupGlobal(s.Type.Name) is ProtocolSymbol p)
        {
            binder.LayOut(p);
            if (p.FixedLength is { } n) return new BoundLiteral((ulong)n, ScalarType.U32, s.Span);
            return Error(DiagnosticCatalog.BadSizeof, s.Span, p.Name, "its header length depends on the packet (demux); use packet_length or its length field");
        }
        var type = binder.ResolveType(s.Type);
        if (type.IsError) return new BoundError(s.Span);
        if (type is StructType st) binder.LayOut(st.Symbol);
        if (type is VoidType or HandleType)
            return Error(DiagnosticCatalog.BadSizeof, s.Span, type, type is VoidType ? "void has no values" : "a handle is not stored");
        return new BoundLiteral((ulong)Binder.SizeOf(type).Size, ScalarType.U32, s.Span);
    }

    private BoundExpr BindCast(CastExpr c)
    {
        var operand = BindExpr(c.Operand);
        var to = binder.ResolveType(c.Type);
        if (operand.Type.IsError || to.IsError) return new BoundError(c.Span);
        switch (operand.Type, to)
        {
            case (ScalarType, ScalarType ts):
                if (operand is BoundLiteral lit) return new BoundLiteral(ts.Normalize(lit.Value), ts, c.Span);
                return new BoundConversion(operand, ts, true, c.Span);
            case (HandleType fh, HandleType th):
                if (fh.Protocol is not null && th.Protocol is not null && fh.Protocol != th.Protocol)
                    return Error(DiagnosticCatalog.HandleProtocolMismatch, c.Span, fh, th);
                return new BoundConversion(operand, th, true, c.Span);
            default:
                return Error(DiagnosticCatalog.BadCast, c.Span, operand.Type, to);
        }
    }

    private BoundExpr BindConditional(ConditionalExpr c)
    {
        var cond = ConvertCondition(BindExpr(c.Condition));
        var a = BindExpr(c.WhenTrue);
        var b = BindExpr(c.WhenFalse);
        if (a.Type.IsError || b.Type.IsError || cond.Type.IsError) return new BoundError(c.Span);
        BakerType type;
        if (a.Type is ScalarType sa && b.Type is ScalarType sb)
        {
            type = sa == ScalarType.Bool && sb == ScalarType.Bool ? ScalarType.Bool : ScalarArithmetic.Common(sa, sb);
            a = ConvertScalar(a, (ScalarType)type);
            b = ConvertScalar(b, (ScalarType)type);
            if (cond is BoundLiteral cl && a is BoundLiteral && b is BoundLiteral) return (cl.Value != 0 ? a : b) with { Span = c.Span };
        }
        else if (a.Type is HandleType ha && b.Type is HandleType hb)
        {
            type = ha == hb ? ha : HandleType.Packet;
            if (ha != hb && ha.Protocol is not null && hb.Protocol is not null)
                return Error(DiagnosticCatalog.BadOperands, c.Span, "?:", $"handles of different protocols ('{ha}' and '{hb}')");
            a = Convert(a, type);
            b = Convert(b, type);
        }
        else if (a.Type == b.Type && a.Type is PointerType or StructType)
        {
            type = a.Type;
            if (type.ContainsLock) return Error(DiagnosticCatalog.LockMisuse, c.Span, $"a '{type}' value cannot be copied");
        }
        else return Error(DiagnosticCatalog.BadOperands, c.Span, "?:", $"'{a.Type}' and '{b.Type}'");
        return new BoundConditional(cond, a, b, type, c.Span);
    }

    // ---- unary -------------------------------------------------------------------------------

    private BoundExpr BindUnary(UnaryExpr u)
    {
        var operand = BindExpr(u.Operand);
        if (operand.Type.IsError) return new BoundError(u.Span);
        switch (u.Op)
        {
            case UnaryOp.AddressOf:
                if (!IsLvalue(operand)) return Error(DiagnosticCatalog.BadAddressOf, u.Span, "a value that is not stored");
                if (AddressProblem(operand) is { } problem) return Error(DiagnosticCatalog.BadAddressOf, u.Span, problem);
                if (operand.Type is HandleType) return Error(DiagnosticCatalog.BadAddressOf, u.Span, "a packet handle");
                return new BoundAddressOf(operand, u.Span);
            case UnaryOp.Deref:
                if (operand.Type is PointerType p) return new BoundDeref(operand, p.Pointee, u.Span);
                return Error(DiagnosticCatalog.BadOperands, u.Span, "*", $"a '{operand.Type}' (it dereferences pointers)");
            case UnaryOp.PreIncrement or UnaryOp.PreDecrement or UnaryOp.PostIncrement or UnaryOp.PostDecrement:
                if (operand.Type is PointerType) return Error(DiagnosticCatalog.PointerArithmetic, u.Span, u.Op.Text());
                var target = RequireAssignable(operand, u.Operand);
                if (target.Type.IsError) return new BoundError(u.Span);
                if (target.Type is not ScalarType { IsInteger: true })
                    return Error(DiagnosticCatalog.BadOperands, u.Span, u.Op.Text(), $"a '{target.Type}'");
                return new BoundIncrement(target, u.Op is UnaryOp.PreIncrement or UnaryOp.PostIncrement,
                    u.Op is UnaryOp.PreIncrement or UnaryOp.PreDecrement, u.Span);
        }
        if (operand.Type is PointerType) return Error(DiagnosticCatalog.PointerArithmetic, u.Span, u.Op.Text());
        if (operand.Type is not ScalarType st) return Error(DiagnosticCatalog.BadOperands, u.Span, u.Op.Text(), $"a '{operand.Type}'");
        if (u.Op == UnaryOp.LogicalNot)
        {
            var c = ConvertCondition(operand);
            if (c is BoundLiteral l) return new BoundLiteral(l.Value == 0 ? 1UL : 0UL, ScalarType.Bool, u.Span);
            return new BoundUnary(UnaryOp.LogicalNot, c, ScalarType.Bool, u.Span);
        }
        var type = ScalarArithmetic.Promote(st);
        var promoted = ConvertScalar(operand, type);
        if (promoted is BoundLiteral lit) return new BoundLiteral(ScalarArithmetic.Unary(u.Op, lit.Value, type), type, u.Span);
        return u.Op == UnaryOp.Plus ? promoted : new BoundUnary(u.Op, promoted, type, u.Span);
    }

    // ---- binary ------------------------------------------------------------------------------

    private BoundExpr BindBinary(BinaryExpr b)
    {
        var left = BindExpr(b.Left);
        var right = BindExpr(b.Right);
        return BindBinaryOperands(b.Op, left, right, b.Span);
    }

    private BoundExpr BindBinaryOperands(BinaryOp op, BoundExpr left, BoundExpr right, SourceSpan span)
    {
        if (left.Type.IsError || right.Type.IsError) return new BoundError(span);

        if (op is BinaryOp.LogicalAnd or BinaryOp.LogicalOr)
        {
            if (left.Type is not ScalarType || right.Type is not ScalarType)
                return Error(DiagnosticCatalog.BadOperands, span, op.Text(), $"'{left.Type}' and '{right.Type}'");
            var l = ConvertCondition(left);
            var r = ConvertCondition(right);
            if (l is BoundLiteral ll && r is BoundLiteral rl)
                return new BoundLiteral(op == BinaryOp.LogicalAnd ? ll.Value & rl.Value : ll.Value | rl.Value, ScalarType.Bool, span);
            return new BoundBinary(op, l, r, ScalarType.Bool, span);
        }

        bool equality = op is BinaryOp.Eq or BinaryOp.Ne;
        if (left.Type is PointerType || right.Type is PointerType)
        {
            if (equality && left.Type == right.Type) return new BoundBinary(op, left, right, ScalarType.Bool, span);
            if (equality) return Error(DiagnosticCatalog.BadOperands, span, op.Text(), $"'{left.Type}' and '{right.Type}'");
            return Error(DiagnosticCatalog.PointerArithmetic, span, op.Text());
        }
        if (left.Type is not ScalarType ls || right.Type is not ScalarType rs)
            return Error(DiagnosticCatalog.BadOperands, span, op.Text(), $"'{left.Type}' and '{right.Type}'");

        if (op is BinaryOp.Shl or BinaryOp.Shr)
        {
            var lt = ScalarArithmetic.Promote(ls);
            var rt = ScalarArithmetic.Promote(rs);
            var l = ConvertScalar(left, lt);
            var r = ConvertScalar(right, rt);
            if (l is BoundLiteral ll && r is BoundLiteral rl)
                return new BoundLiteral(ScalarArithmetic.Binary(op, ll.Value, rl.Value, lt)!.Value, lt, span);
            return new BoundBinary(op, l, r, lt, span);
        }

        var common = ScalarArithmetic.Common(ls, rs);
        var cl = ConvertScalar(left, common);
        var cr = ConvertScalar(right, common);
        bool comparison = op is BinaryOp.Lt or BinaryOp.Gt or BinaryOp.Le or BinaryOp.Ge or BinaryOp.Eq or BinaryOp.Ne;
        if (cl is BoundLiteral a && cr is BoundLiteral c)
        {
            if (comparison) return new BoundLiteral(ScalarArithmetic.Compare(op, a.Value, c.Value, common) ? 1UL : 0UL, ScalarType.Bool, span);
            var folded = ScalarArithmetic.Binary(op, a.Value, c.Value, common);
            if (folded is null) return Error(DiagnosticCatalog.ConstantDivByZero, span);
            return new BoundLiteral(folded.Value, common, span);
        }
        return new BoundBinary(op, cl, cr, comparison ? ScalarType.Bool : common, span);
    }

    // ---- assignment --------------------------------------------------------------------------

    private BoundExpr BindAssign(AssignExpr a)
    {
        var target = RequireAssignable(BindExpr(a.Target), a.Target);
        var value = BindExpr(a.Value);
        if (target.Type.IsError || value.Type.IsError) return new BoundError(a.Span);
        if (a.Op is null)
            return new BoundAssignment(target, Convert(value, target.Type, ""), a.Span);

        var op = a.Op.Value;
        if (target.Type is PointerType) return Error(DiagnosticCatalog.PointerArithmetic, a.Span, op.Text() + "=");
        if (target.Type is not ScalarType ts || value.Type is not ScalarType vs)
            return Error(DiagnosticCatalog.BadOperands, a.Span, op.Text() + "=", $"'{target.Type}' and '{value.Type}'");
        var opType = op is BinaryOp.Shl or BinaryOp.Shr ? ScalarArithmetic.Promote(ts) : ScalarArithmetic.Common(ts, vs);
        var converted = op is BinaryOp.Shl or BinaryOp.Shr ? ConvertScalar(value, ScalarArithmetic.Promote(vs)) : ConvertScalar(value, opType);
        if (op is BinaryOp.Div or BinaryOp.Rem && converted is BoundLiteral { Value: 0 })
            return Error(DiagnosticCatalog.ConstantDivByZero, a.Span);
        return new BoundCompoundAssignment(op, target, converted, opType, a.Span);
    }

    // ---- calls -------------------------------------------------------------------------------

    private BoundExpr BindCall(CallExpr c)
    {
        if (Intrinsics.TryGet(c.Callee.Text, out var intrinsic)) return BindIntrinsic(intrinsic, c);
        var symbol = Lookup(c.Callee.Text);
        if (symbol is null) return Error(DiagnosticCatalog.UndeclaredName, c.Callee.Span, c.Callee.Text, " as a function");
        if (symbol is not FunctionSymbol fn)
        {
            foreach (var arg in c.Args) BindExpr(arg);
            return Error(DiagnosticCatalog.NotCallable, c.Callee.Span, c.Callee.Text);
        }
        var args = c.Args.Select(BindExpr).ToList();
        if (args.Count != fn.Parameters.Count)
            return Error(DiagnosticCatalog.ArgumentCount, c.Span, fn.QualifiedName, fn.Parameters.Count, args.Count);
        var converted = args.Select((a, i) => Convert(a, fn.Parameters[i].Type, $" (argument {i + 1} of '{fn.Name}')")).ToImmutableArray();
        return new BoundCall(fn, converted, c.Span);
    }
}
