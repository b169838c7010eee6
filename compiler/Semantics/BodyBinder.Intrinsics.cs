using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Syntax;

namespace Baker.Compiler.Semantics;

/// <summary>The built-in functions: their names and how many arguments they take (-1: variadic).</summary>
public static class Intrinsics
{
    private static readonly Dictionary<string, (Intrinsic Kind, int Arity)> Table = new(StringComparer.Ordinal)
    {
        ["packet_decap"] = (Intrinsic.PacketDecap, 1),
        ["packet_encap"] = (Intrinsic.PacketEncap, 2),
        ["packet_copy"] = (Intrinsic.PacketCopy, 1),
        ["packet_create"] = (Intrinsic.PacketCreate, 2),
        ["packet_drop"] = (Intrinsic.PacketDrop, 1),
        ["packet_length"] = (Intrinsic.PacketLength, 1),
        ["packet_byte"] = (Intrinsic.PacketByte, 2),
        ["packet_set_byte"] = (Intrinsic.PacketSetByte, 3),
        ["packet_trim"] = (Intrinsic.PacketTrim, 2),
        ["packet_extend"] = (Intrinsic.PacketExtend, 2),
        ["channel_put"] = (Intrinsic.ChannelPut, 2),
        ["lock"] = (Intrinsic.Lock, 1),
        ["unlock"] = (Intrinsic.Unlock, 1),
        ["try_lock"] = (Intrinsic.TryLock, 1),
        ["hash32"] = (Intrinsic.Hash32, 1),
        ["hash64"] = (Intrinsic.Hash64, 1),
        ["crc32"] = (Intrinsic.Crc32, 2),
        ["now"] = (Intrinsic.Now, 0),
        ["min"] = (Intrinsic.Min, 2),
        ["max"] = (Intrinsic.Max, 2),
        ["trace"] = (Intrinsic.Trace, -1),
    };

    public static bool TryGet(string name, out (Intrinsic Kind, int Arity) intrinsic) => Table.TryGetValue(name, out intrinsic);

    public static string NameOf(Intrinsic kind) => Table.First(kv => kv.Value.Kind == kind).Key;
}

public sealed partial class BodyBinder
{
    private static readonly Regex TraceSpecifier = new("%(%|[-0-9]*(?:l{0,2})[udxX])", RegexOptions.Compiled);

    private BoundExpr BindIntrinsic((Intrinsic Kind, int Arity) intrinsic, CallExpr c)
    {
        var (kind, arity) = intrinsic;
        string name = c.Callee.Text;
        if (arity >= 0 && c.Args.Length != arity)
        {
            foreach (var a in c.Args) if (a is not NameExpr) BindExpr(a);
            return Error(DiagnosticCatalog.ArgumentCount, c.Span, name, arity, c.Args.Length);
        }
        switch (kind)
        {
            case Intrinsic.ChannelPut: return BindChannelPut(c);
            case Intrinsic.PacketEncap:
            {
                var handle = BindHandle(c.Args[0], name);
                var proto = BindProtocolArg(c.Args[1], name, c.Span);
                if (handle is null || proto is null) return new BoundError(c.Span);
                if (proto.FixedLength is null)
                    return Error(DiagnosticCatalog.EncapNeedsFixedLength, c.Args[1].Span, proto.Name, "packet_encap");
                return Make(kind, c, new HandleType(proto), handle, new BoundProtocol(proto, c.Args[1].Span));
            }
            case Intrinsic.PacketCreate:
            {
                var proto = BindProtocolArg(c.Args[0], name, c.Span);
                var size = BindInteger(c.Args[1], name, ScalarType.U32);
                if (proto is null || size is null) return new BoundError(c.Span);
                return Make(kind, c, new HandleType(proto), new BoundProtocol(proto, c.Args[0].Span), size);
            }
            case Intrinsic.PacketDecap:
            case Intrinsic.PacketCopy:
            case Intrinsic.PacketDrop:
            case Intrinsic.PacketLength:
            {
                var handle = BindHandle(c.Args[0], name);
                if (handle is null) return new BoundError(c.Span);
                // The next header starts where this one ends, and only a protocol knows its header's length.
                if (kind == Intrinsic.PacketDecap && handle.Type is HandleType { Protocol: null })
                    return Error(DiagnosticCatalog.DecapNeedsProtocol, c.Args[0].Span);
                BakerType type = kind switch
                {
                    Intrinsic.PacketDecap => HandleType.Packet,
                    Intrinsic.PacketCopy => handle.Type,
                    Intrinsic.PacketLength => ScalarType.U32,
                    _ => VoidType.Instance,
                };
                return Make(kind, c, type, handle);
            }
            case Intrinsic.PacketByte:
            case Intrinsic.PacketTrim:
            case Intrinsic.PacketExtend:
            {
                var handle = BindHandle(c.Args[0], name);
                var n = BindInteger(c.Args[1], name, ScalarType.U32);
                if (handle is null || n is null) return new BoundError(c.Span);
                return Make(kind, c, kind == Intrinsic.PacketByte ? ScalarType.U8 : VoidType.Instance, handle, n);
            }
            case Intrinsic.PacketSetByte:
            {
                var handle = BindHandle(c.Args[0], name);
                var i = BindInteger(c.Args[1], name, ScalarType.U32);
                var v = BindInteger(c.Args[2], name, ScalarType.U8);
                if (handle is null || i is null || v is null) return new BoundError(c.Span);
                return Make(kind, c, VoidType.Instance, handle, i, v);
            }
            case Intrinsic.Lock:
            case Intrinsic.Unlock:
            case Intrinsic.TryLock:
            {
                var arg = BindExpr(c.Args[0]);
                if (arg.Type.IsError) return new BoundError(c.Span);
                if (arg.Type is not PointerType { Pointee: LockType })
                    return Error(DiagnosticCatalog.LockArgument, c.Args[0].Span, name, arg.Type);
                return Make(kind, c, kind == Intrinsic.TryLock ? ScalarType.Bool : VoidType.Instance, arg);
            }
            case Intrinsic.Hash32:
            case Intrinsic.Hash64:
            {
                var x = BindInteger(c.Args[0], name, ScalarType.U64);
                return x is null ? new BoundError(c.Span) : Make(kind, c, kind == Intrinsic.Hash32 ? ScalarType.U32 : ScalarType.U64, x);
            }
            case Intrinsic.Crc32:
            {
                var x = BindInteger(c.Args[0], name, ScalarType.U64);
                var n = BindInteger(c.Args[1], name, ScalarType.U32);
                if (x is null || n is null) return new BoundError(c.Span);
                if (n is BoundLiteral { Value: < 1 or > 8 })
                    return Error(DiagnosticCatalog.BadArgument, c.Args[1].Span, "crc32(x, n_bytes) takes 1..8 bytes of x");
                return Make(kind, c, ScalarType.U32, x, n);
            }
            case Intrinsic.Now:
                return Make(kind, c, ScalarType.U64);
            case Intrinsic.Min:
            case Intrinsic.Max:
            {
                var a = BindExpr(c.Args[0]);
                var b = BindExpr(c.Args[1]);
                if (a.Type.IsError || b.Type.IsError) return new BoundError(c.Span);
                if (a.Type is not ScalarType sa || b.Type is not ScalarType sb)
                    return Error(DiagnosticCatalog.BadOperands, c.Span, name, $"'{a.Type}' and '{b.Type}'");
                var t = ScalarArithmetic.Common(sa, sb);
                a = ConvertScalar(a, t);
                b = ConvertScalar(b, t);
                if (a is BoundLiteral la && b is BoundLiteral lb)
                {
                    bool less = ScalarArithmetic.Compare(BinaryOp.Lt, la.Value, lb.Value, t);
                    return (kind == Intrinsic.Min == less ? la : lb) with { Span = c.Span };
                }
                return Make(kind, c, t, a, b);
            }
            case Intrinsic.Trace:
                return BindTrace(c);
        }
        return Error(DiagnosticCatalog.NotAllowedHere, c.Span, $"'{name}' cannot be used here");
    }

    private BoundIntrinsicCall Make(Intrinsic kind, CallExpr c, BakerType type, params BoundExpr[] args) =>
        new(kind, args.ToImmutableArray(), type, null, c.Span);

    private BoundExpr? BindHandle(Expr e, string intrinsic)
    {
        var bound = BindExpr(e);
        if (bound.Type.IsError) return null;
        if (bound.Type is HandleType) return bound;
        Report(DiagnosticCatalog.TypeMismatch, e.Span, bound.Type, "a packet handle", $" (argument of '{intrinsic}')");
        return null;
    }

    private BoundExpr? BindInteger(Expr e, string intrinsic, ScalarType to)
    {
        var bound = BindExpr(e);
        if (bound.Type.IsError) return null;
        if (bound.Type is ScalarType) return Convert(bound, to);
        Report(DiagnosticCatalog.TypeMismatch, e.Span, bound.Type, to, $" (argument of '{intrinsic}')");
        return null;
    }

    private ProtocolSymbol? BindProtocolArg(Expr e, string intrinsic, SourceSpan call)
    {
        if (e is NameExpr n)
        {
            switch (Lookup(n.Name))
            {
                case ProtocolSymbol p: return p;
                case null:
                    Report(DiagnosticCatalog.UndeclaredName, e.Span, n.Name, " as a protocol");
                    return null;
                case var other:
                    Report(DiagnosticCatalog.BadArgument, call, $"'{intrinsic}' takes a protocol name (for example 'ipv4'), and '{n.Name}' is a {KindOf(other)}");
                    return null;
            }
        }
        if (BindExpr(e).Type.IsError) return null;
        Report(DiagnosticCatalog.BadArgument, call, $"'{intrinsic}' takes a protocol name here (for example 'ipv4')");
        return null;
    }

    private BoundExpr BindChannelPut(CallExpr c)
    {
        var outputs = Ppf is null ? "" : string.Join(", ", Ppf.Outputs.Select(o => o.Name));
        if (outputs.Length == 0) outputs = "(none: declare 'output <protocol> <name>;')";
        EndpointSymbol? endpoint = null;
        if (c.Args[0] is NameExpr n && Lookup(n.Name) is EndpointSymbol ep && !ep.IsInput) endpoint = ep;
        else if (c.Args[0] is NameExpr n2 && Lookup(n2.Name) is EndpointSymbol or null)
            Report(DiagnosticCatalog.NotAnOutput, c.Args[0].Span, n2.Name, outputs);
        else
        {
            var bound = BindExpr(c.Args[0]);
            if (!bound.Type.IsError) Report(DiagnosticCatalog.NotAnOutput, c.Args[0].Span, "this expression", outputs);
        }
        var handle = BindHandle(c.Args[1], "channel_put");
        if (endpoint is null || handle is null) return new BoundError(c.Span);
        var h = (HandleType)handle.Type;
        if (endpoint.Protocol is not null && h.Protocol is not null && h.Protocol != endpoint.Protocol)
            return Error(DiagnosticCatalog.PutProtocolMismatch, c.Args[1].Span, endpoint.Name, endpoint.ProtocolName + "*", h);
        return Make(Intrinsic.ChannelPut, c, VoidType.Instance, new BoundEndpoint(endpoint, c.Args[0].Span), handle);
    }

    private BoundExpr BindTrace(CallExpr c)
    {
        if (c.Args.Length == 0 || c.Args[0] is not StringLiteralExpr fmt)
        {
            foreach (var a in c.Args) if (a is not StringLiteralExpr) BindExpr(a);
            return Error(DiagnosticCatalog.BadArgument, c.Span, "trace takes a format string first: trace(\"x=%u\", x)");
        }
        var args = c.Args.Skip(1).Select(BindExpr).ToList();
        if (args.Any(a => a.Type.IsError)) return new BoundError(c.Span);
        foreach (var a in args.Where(a => a.Type is not ScalarType))
            Report(DiagnosticCatalog.TypeMismatch, a.Span, a.Type, "a scalar", " (trace prints scalars)");
        int specifiers = TraceSpecifier.Matches(fmt.Value).Count(m => m.Value != "%%");
        if (specifiers != args.Count)
            return Error(DiagnosticCatalog.BadArgument, c.Span,
                $"the trace format has {specifiers} conversion(s) (%u %d %x) but {args.Count} value(s) follow it");
        var converted = args.Select(a => a.Type is ScalarType st ? ConvertScalar(a, ScalarArithmetic.Promote(st)) : a);
        return new BoundIntrinsicCall(Intrinsic.Trace, converted.ToImmutableArray(), VoidType.Instance, fmt.Value, c.Span);
    }
}
