using Baker.Compiler.IR;
using Baker.Compiler.Semantics;

namespace Baker.Compiler.Lowering;

internal sealed partial class FunctionLowering
{
    private Value? LowerIntrinsic(BoundIntrinsicCall c)
    {
        var args = c.Args;
        switch (c.Intrinsic)
        {
            case Intrinsic.PacketDecap:
            {
                var handle = Lower(args[0]);
                var protocol = ((HandleType)args[0].Type).Protocol
                    ?? throw new InvalidOperationException($"lowering: packet_decap at {c.Span.Short} on a 'packet*' handle has no header length");
                return b.Def(Op.PktDecap, IrType.Pkt, handle, HeaderLength(protocol, handle));
            }
            case Intrinsic.PacketEncap:
            {
                var handle = Lower(args[0]);
                var protocol = ((BoundProtocol)args[1]).Protocol;
                return b.Def(Op.PktEncap, IrType.Pkt, handle, new IntImm(protocol.FixedLength!.Value));
            }
            case Intrinsic.PacketCopy: return b.Def(Op.PktCopy, IrType.Pkt, Lower(args[0]));
            case Intrinsic.PacketCreate: return b.Def(Op.PktCreate, IrType.Pkt, b.Convert(Lower(args[1]), IrType.U32));
            case Intrinsic.PacketDrop: b.Emit(Op.PktDrop, null, Lower(args[0])); return null;
            case Intrinsic.PacketLength: return b.Def(Op.PktLength, IrType.U32, Lower(args[0]));
            case Intrinsic.PacketByte:
            {
                var handle = Lower(args[0]);
                var offset = b.Def(Op.PktOffset, IrType.I32, handle);
                return b.Def(Op.PktByte, IrType.U8, handle, offset, b.Convert(Lower(args[1]), IrType.U32));
            }
            case Intrinsic.PacketSetByte:
            {
                var handle = Lower(args[0]);
                var offset = b.Def(Op.PktOffset, IrType.I32, handle);
                var index = b.Convert(Lower(args[1]), IrType.U32);
                b.Emit(Op.PktSetByte, null, handle, offset, index, b.Convert(Lower(args[2]), IrType.U8));
                return null;
            }
            case Intrinsic.PacketTrim:
            case Intrinsic.PacketExtend:
            {
                var handle = Lower(args[0]);
                b.Emit(c.Intrinsic == Intrinsic.PacketTrim ? Op.PktTrim : Op.PktExtend, null, handle, b.Convert(Lower(args[1]), IrType.U32));
                return null;
            }
            case Intrinsic.ChannelPut:
                b.Emit(Op.Put, null, new EndpointRef(((BoundEndpoint)args[0]).Endpoint.Name), Lower(args[1]));
                return null;
            case Intrinsic.Lock:
            case Intrinsic.Unlock:
            case Intrinsic.TryLock:
            {
                // lock(&x) names x's object directly, so that memory mapping sees which lock it is.
                var (location, offset) = args[0] is BoundAddressOf a && LowerPlace(a.Operand) is MemPlace m
                    ? (m.Location, m.Offset)
                    : ((Operand)Lower(args[0]), (Value)IrBuilder.U32(0));
                var op = c.Intrinsic switch { Intrinsic.Lock => Op.Lock, Intrinsic.Unlock => Op.Unlock, _ => Op.TryLock };
                if (op == Op.TryLock) return b.Def(op, IrType.Bool, location, offset);
                b.Emit(op, null, location, offset);
                return null;
            }
            case Intrinsic.Hash32: return b.Def(Op.Hash32, IrType.U32, b.Convert(Lower(args[0]), IrType.U64));
            case Intrinsic.Hash64: return b.Def(Op.Hash64, IrType.U64, b.Convert(Lower(args[0]), IrType.U64));
            case Intrinsic.Crc32: return Crc32(b.Convert(Lower(args[0]), IrType.U64), Lower(args[1]));
            case Intrinsic.Now: return b.Def(Op.Now, IrType.U64);
            case Intrinsic.Min:
            case Intrinsic.Max:
            {
                var type = IrLowering.ToIr(c.Type);
                var x = b.Convert(Lower(args[0]), type);
                var y = b.Convert(Lower(args[1]), type);
                return b.Def(c.Intrinsic == Intrinsic.Min ? Op.Min : Op.Max, type, x, y);
            }
            case Intrinsic.Trace:
            {
                if (context.NoTrace) return null;
                var operands = new List<Operand> { new StringImm(c.Format!) };
                foreach (var a in args) operands.Add(Lower(a));
                b.Emit(Op.Trace, null, operands.ToArray());
                return null;
            }
            default:
                throw new InvalidOperationException($"lowering: intrinsic {c.Intrinsic} at {c.Span.Short}");
        }
    }

    /// <summary>The byte length of the header under <paramref name="handle"/>: fixed, or its demux expression over the header's fields.</summary>
    private Value HeaderLength(ProtocolSymbol protocol, Value handle)
    {
        if (protocol.FixedLength is { } n) return IrBuilder.U32(n);
        var saved = (demuxHeader, b.Location);
        demuxHeader = (handle, b.Def(Op.PktOffset, IrType.I32, handle));
        var length = b.Convert(Lower(protocol.Demux!), IrType.U32);
        (demuxHeader, b.Location) = saved;
        return length;
    }

    /// <summary>crc32 takes its byte count as an immediate; a count known only at run time dispatches over 1..8 (others fault bounds).</summary>
    private Value Crc32(Value x, Value count)
    {
        count = b.Convert(count, IrType.U32);
        if (count is Constant c) return b.Def(Op.Crc32, IrType.U32, x, new IntImm((long)c.Bits));
        var result = new Register(IrType.U32);
        var minusOne = b.Def(Op.Sub, IrType.U32, count, IrBuilder.U32(1));
        b.Emit(Op.Bounds, null, b.Convert(minusOne, IrType.U64), new IntImm(8));
        var join = b.NewBlock();
        var cases = Enumerable.Range(1, 8).Select(_ => b.NewBlock()).ToList();
        var operands = new List<Operand> { count, new BlockRef(cases[7]) };
        for (int n = 1; n <= 7; n++) { operands.Add(new IntImm(n)); operands.Add(new BlockRef(cases[n - 1])); }
        b.Emit(Op.Switch, null, operands.ToArray());
        for (int n = 1; n <= 8; n++)
        {
            b.SetBlock(cases[n - 1]);
            b.Emit(Op.Crc32, result, x, new IntImm(n));
            b.Jump(join);
        }
        b.SetBlock(join);
        return result;
    }
}
