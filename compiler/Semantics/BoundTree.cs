using System.Collections.Immutable;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Syntax;

namespace Baker.Compiler.Semantics;

// The bound tree: function bodies after name resolution and type checking. Every expression has
// its type; implicit conversions are explicit nodes; constants are folded to literals; packet
// operations, locks and the other built-ins are intrinsic calls. Lowering reads this, not the AST.

public abstract record BoundNode(SourceSpan Span);

// ---- expressions -----------------------------------------------------------------------------

public abstract record BoundExpr(BakerType Type, SourceSpan Span) : BoundNode(Span);

/// <summary>A constant, normalised to its type (signed values sign-extended to 64 bits).</summary>
public sealed record BoundLiteral(ulong Value, BakerType Type, SourceSpan Span) : BoundExpr(Type, Span);

/// <summary>A global, PPF state, local or parameter.</summary>
public sealed record BoundVariable(VariableSymbol Variable, SourceSpan Span) : BoundExpr(Variable.Type, Span);

/// <summary>An endpoint named as the first argument of channel_put.</summary>
public sealed record BoundEndpoint(EndpointSymbol Endpoint, SourceSpan Span) : BoundExpr(VoidType.Instance, Span);

/// <summary>A protocol named as an argument of packet_encap / packet_create.</summary>
public sealed record BoundProtocol(ProtocolSymbol Protocol, SourceSpan Span) : BoundExpr(VoidType.Instance, Span);

/// <summary>-x, ~x, !x (operand already converted to the operation type).</summary>
public sealed record BoundUnary(UnaryOp Op, BoundExpr Operand, BakerType Type, SourceSpan Span) : BoundExpr(Type, Span);

/// <summary>
/// A binary operation. Arithmetic operands are converted to the common type (the result type);
/// comparison operands to their common type (result bool); shift operands are promoted separately;
/// &amp;&amp; and || operands are bool and evaluate lazily.
/// </summary>
public sealed record BoundBinary(BinaryOp Op, BoundExpr Left, BoundExpr Right, BakerType Type, SourceSpan Span) : BoundExpr(Type, Span);

public sealed record BoundConditional(BoundExpr Condition, BoundExpr WhenTrue, BoundExpr WhenFalse, BakerType Type, SourceSpan Span) : BoundExpr(Type, Span);

/// <summary>A conversion between scalar types (truncating or extending) or between handle types.</summary>
public sealed record BoundConversion(BoundExpr Operand, BakerType Type, bool IsExplicit, SourceSpan Span) : BoundExpr(Type, Span);

/// <summary><c>target = value</c>; the value is already converted to the target's type.</summary>
public sealed record BoundAssignment(BoundExpr Target, BoundExpr Value, SourceSpan Span) : BoundExpr(Target.Type, Span);

/// <summary>
/// <c>target op= value</c>: computes <c>(OperationType)target op value</c> and converts the result back
/// to the target's type; the target is evaluated once.
/// </summary>
public sealed record BoundCompoundAssignment(BinaryOp Op, BoundExpr Target, BoundExpr Value, BakerType OperationType, SourceSpan Span)
    : BoundExpr(Target.Type, Span);

/// <summary>++ / -- on an integer lvalue; the value is the new one (prefix) or the old one (postfix).</summary>
public sealed record BoundIncrement(BoundExpr Target, bool IsIncrement, bool IsPrefix, SourceSpan Span) : BoundExpr(Target.Type, Span);

/// <summary>An array element; the index is an integer of any type (bounds-checked at run time).</summary>
public sealed record BoundIndex(BoundExpr Array, BoundExpr Index, BakerType Type, SourceSpan Span) : BoundExpr(Type, Span);

public sealed record BoundStructField(BoundExpr Target, StructField Field, SourceSpan Span) : BoundExpr(Field.Type, Span);

public sealed record BoundDeref(BoundExpr Pointer, BakerType Type, SourceSpan Span) : BoundExpr(Type, Span);

public sealed record BoundAddressOf(BoundExpr Operand, SourceSpan Span) : BoundExpr(new PointerType(Operand.Type), Span);

/// <summary><c>h-&gt;field</c>: a header field of the handle's current header.</summary>
public sealed record BoundPacketField(BoundExpr Handle, ProtocolField Field, SourceSpan Span) : BoundExpr(Field.Type, Span);

/// <summary><c>h-&gt;meta.field</c>: a metadata field of the handle's packet.</summary>
public sealed record BoundMetaField(BoundExpr Handle, MetadataField Field, SourceSpan Span) : BoundExpr(Field.Type, Span);

/// <summary>Inside a protocol's demux expression: a field of the header being measured.</summary>
public sealed record BoundHeaderField(ProtocolField Field, SourceSpan Span) : BoundExpr(Field.Type, Span);

public sealed record BoundCall(FunctionSymbol Function, ImmutableArray<BoundExpr> Args, SourceSpan Span) : BoundExpr(Function.ReturnType, Span);

public enum Intrinsic
{
    PacketDecap, PacketEncap, PacketCopy, PacketCreate, PacketDrop, PacketLength, PacketByte, PacketSetByte,
    PacketTrim, PacketExtend, ChannelPut,
    Lock, Unlock, TryLock,
    Hash32, Hash64, Crc32, Now, Min, Max, Trace,
}

/// <summary>A built-in. <see cref="Format"/> is the format string of trace(...).</summary>
public sealed record BoundIntrinsicCall(Intrinsic Intrinsic, ImmutableArray<BoundExpr> Args, BakerType Type, string? Format, SourceSpan Span)
    : BoundExpr(Type, Span);

/// <summary>Stands for an expression that failed to bind (already reported).</summary>
public sealed record BoundError(SourceSpan Span) : BoundExpr(ErrorType.Instance, Span);

// ---- statements ------------------------------------------------------------------------------

public abstract record BoundStmt(SourceSpan Span) : BoundNode(Span);

public sealed record BoundBlock(ImmutableArray<BoundStmt> Statements, SourceSpan CloseSpan, SourceSpan Span) : BoundStmt(Span);
public sealed record BoundLocalDecl(VariableSymbol Variable, BoundExpr? Initializer, SourceSpan Span) : BoundStmt(Span);
public sealed record BoundExprStmt(BoundExpr Expr, SourceSpan Span) : BoundStmt(Span);
public sealed record BoundIf(BoundExpr Condition, BoundStmt Then, BoundStmt? Else, SourceSpan Span) : BoundStmt(Span);
public sealed record BoundWhile(BoundExpr Condition, BoundStmt Body, SourceSpan Span) : BoundStmt(Span);
public sealed record BoundDoWhile(BoundStmt Body, BoundExpr Condition, SourceSpan Span) : BoundStmt(Span);
public sealed record BoundFor(ImmutableArray<BoundStmt> Init, BoundExpr? Condition, ImmutableArray<BoundExpr> Step, BoundStmt Body, SourceSpan Span) : BoundStmt(Span);
/// <summary>One section of a switch: its constant labels (normalised to the switch type) and whether it is the default.</summary>
public sealed record BoundSwitchSection(ImmutableArray<ulong> Labels, bool IsDefault, ImmutableArray<BoundStmt> Body, SourceSpan Span) : BoundNode(Span);
public sealed record BoundSwitch(BoundExpr Value, ImmutableArray<BoundSwitchSection> Sections, SourceSpan Span) : BoundStmt(Span);
public sealed record BoundBreak(SourceSpan Span) : BoundStmt(Span);
public sealed record BoundContinue(SourceSpan Span) : BoundStmt(Span);
public sealed record BoundReturn(BoundExpr? Value, SourceSpan Span) : BoundStmt(Span);
