using System.Collections.Immutable;
using Baker.Compiler.Diagnostics;

namespace Baker.Compiler.Syntax;

// The abstract syntax tree: immutable, one sealed record per construct, each with its span.
// AstBuilder makes it from ANTLR's concrete tree; the Binder reads it. Nothing here knows types.

public abstract record Node(SourceSpan Span);

/// <summary>An identifier where it appears in the source.</summary>
public sealed record Name(string Text, SourceSpan Span) : Node(Span)
{
    public override string ToString() => Text;
}

/// <summary>A written type: a scalar keyword, void, lock_t or an identifier, with '*'s.</summary>
public sealed record TypeSyntax(string Name, int PointerDepth, SourceSpan Span) : Node(Span)
{
    public override string ToString() => Name + new string('*', PointerDepth);
}

/// <summary>One source file after parsing.</summary>
public sealed record CompilationUnit(string Path, ImmutableArray<Decl> Decls, SourceSpan Span) : Node(Span);

// ---- declarations ----------------------------------------------------------------------------

public abstract record Decl(SourceSpan Span) : Node(Span);

public sealed record ImportDecl(string RelativePath, SourceSpan Span) : Decl(Span);

public sealed record ProtocolDecl(Name Name, ImmutableArray<ProtocolFieldDecl> Fields, ImmutableArray<Expr> Demuxes, SourceSpan Span) : Decl(Span);
public sealed record ProtocolFieldDecl(Name Name, Expr Width, SourceSpan Span) : Node(Span);

public sealed record MetadataDecl(ImmutableArray<FieldDecl> Fields, SourceSpan Span) : Decl(Span);
public sealed record StructDecl(Name Name, ImmutableArray<FieldDecl> Fields, SourceSpan Span) : Decl(Span);
public sealed record FieldDecl(TypeSyntax Type, Name Name, ImmutableArray<Expr> Dimensions, SourceSpan Span) : Node(Span);

public sealed record ConstDecl(TypeSyntax Type, Name Name, Expr Value, SourceSpan Span) : Decl(Span);

/// <summary>One declarator of a variable declaration (<c>u32 a, b[4];</c> gives two).</summary>
public sealed record VarDecl(TypeSyntax Type, Name Name, ImmutableArray<Expr> Dimensions, Expr? Initializer, SourceSpan Span) : Decl(Span);

public sealed record Param(TypeSyntax Type, Name Name, SourceSpan Span) : Node(Span);

public sealed record FunctionDecl(TypeSyntax ReturnType, Name Name, ImmutableArray<Param> Params, BlockStmt Body, bool IsControl, SourceSpan Span) : Decl(Span);

public sealed record EndpointDecl(bool IsInput, Name Protocol, Name Name, SourceSpan Span) : Node(Span);
public sealed record InitDecl(BlockStmt Body, SourceSpan Span) : Node(Span);
public sealed record ProcessDecl(Name Endpoint, Param Param, BlockStmt Body, SourceSpan Span) : Node(Span);

public sealed record PpfDecl(
    Name Name,
    ImmutableArray<EndpointDecl> Endpoints,
    ImmutableArray<ConstDecl> Consts,
    ImmutableArray<VarDecl> State,
    ImmutableArray<InitDecl> Inits,
    ImmutableArray<ProcessDecl> Processes,
    ImmutableArray<FunctionDecl> Functions,
    SourceSpan Span) : Decl(Span);

/// <summary>A module, or the app (a module without endpoints wired to rx and tx).</summary>
public sealed record ModuleDecl(
    Name Name,
    bool IsApp,
    ImmutableArray<EndpointDecl> Endpoints,
    ImmutableArray<InstanceDecl> Instances,
    ImmutableArray<WireDecl> Wires,
    SourceSpan Span) : Decl(Span);

public sealed record InstanceDecl(bool IsModule, Name Name, Name Type, SourceSpan Span) : Node(Span);

/// <summary>A wire, normalised so that packets flow From → To whichever arrow was written.</summary>
public sealed record WireDecl(EndpointRef From, EndpointRef To, SourceSpan Span) : Node(Span);

/// <summary><c>inst.endpoint</c>, or a bare name: an endpoint of the enclosing module, rx or tx.</summary>
public sealed record EndpointRef(Name? Instance, Name Endpoint, SourceSpan Span) : Node(Span)
{
    public override string ToString() => Instance is null ? Endpoint.Text : $"{Instance.Text}.{Endpoint.Text}";
}

// ---- statements ------------------------------------------------------------------------------

public abstract record Stmt(SourceSpan Span) : Node(Span);

/// <summary>A block; <see cref="CloseSpan"/> is its closing brace (where falling off the end is reported).</summary>
public sealed record BlockStmt(ImmutableArray<Stmt> Statements, SourceSpan CloseSpan, SourceSpan Span) : Stmt(Span);
public sealed record LocalConstStmt(ConstDecl Decl, SourceSpan Span) : Stmt(Span);
public sealed record LocalVarStmt(ImmutableArray<VarDecl> Decls, SourceSpan Span) : Stmt(Span);
public sealed record IfStmt(Expr Condition, Stmt Then, Stmt? Else, SourceSpan Span) : Stmt(Span);
public sealed record WhileStmt(Expr Condition, Stmt Body, SourceSpan Span) : Stmt(Span);
public sealed record DoStmt(Stmt Body, Expr Condition, SourceSpan Span) : Stmt(Span);
public sealed record ForStmt(ImmutableArray<Stmt> Init, Expr? Condition, ImmutableArray<Expr> Step, Stmt Body, SourceSpan Span) : Stmt(Span);
public sealed record SwitchStmt(Expr Value, ImmutableArray<SwitchSection> Sections, SourceSpan Span) : Stmt(Span);
public sealed record SwitchSection(ImmutableArray<CaseLabel> Labels, ImmutableArray<Stmt> Body, SourceSpan Span) : Node(Span);
/// <summary>A case label; <see cref="Value"/> is null for <c>default</c>.</summary>
public sealed record CaseLabel(Expr? Value, SourceSpan Span) : Node(Span);
public sealed record BreakStmt(SourceSpan Span) : Stmt(Span);
public sealed record ContinueStmt(SourceSpan Span) : Stmt(Span);
public sealed record ReturnStmt(Expr? Value, SourceSpan Span) : Stmt(Span);
public sealed record ExprStmt(Expr Expr, SourceSpan Span) : Stmt(Span);
public sealed record EmptyStmt(SourceSpan Span) : Stmt(Span);

// ---- expressions -----------------------------------------------------------------------------

public abstract record Expr(SourceSpan Span) : Node(Span);

public enum LiteralKind { Decimal, Hex, Binary, Char, Ipv4, Mac }

public sealed record IntLiteralExpr(ulong Value, LiteralKind Kind, string Text, SourceSpan Span) : Expr(Span);
public sealed record BoolLiteralExpr(bool Value, SourceSpan Span) : Expr(Span);
public sealed record StringLiteralExpr(string Value, SourceSpan Span) : Expr(Span);
public sealed record NameExpr(string Name, SourceSpan Span) : Expr(Span);
public sealed record CallExpr(Name Callee, ImmutableArray<Expr> Args, SourceSpan Span) : Expr(Span);
public sealed record IndexExpr(Expr Target, Expr Index, SourceSpan Span) : Expr(Span);
/// <summary><c>a.b</c> or, with <see cref="Arrow"/>, <c>a-&gt;b</c>.</summary>
public sealed record MemberExpr(Expr Target, Name Member, bool Arrow, SourceSpan Span) : Expr(Span);
public sealed record SizeofExpr(TypeSyntax Type, SourceSpan Span) : Expr(Span);
public sealed record CastExpr(TypeSyntax Type, Expr Operand, SourceSpan Span) : Expr(Span);
public sealed record ConditionalExpr(Expr Condition, Expr WhenTrue, Expr WhenFalse, SourceSpan Span) : Expr(Span);

public enum UnaryOp { Plus, Negate, LogicalNot, BitNot, Deref, AddressOf, PreIncrement, PreDecrement, PostIncrement, PostDecrement }
public sealed record UnaryExpr(UnaryOp Op, Expr Operand, SourceSpan Span) : Expr(Span);

public enum BinaryOp { Mul, Div, Rem, Add, Sub, Shl, Shr, Lt, Gt, Le, Ge, Eq, Ne, BitAnd, BitXor, BitOr, LogicalAnd, LogicalOr }
public sealed record BinaryExpr(BinaryOp Op, Expr Left, Expr Right, SourceSpan Span) : Expr(Span);

/// <summary><c>a = b</c> when <see cref="Op"/> is null, else the compound form <c>a op= b</c>.</summary>
public sealed record AssignExpr(BinaryOp? Op, Expr Target, Expr Value, SourceSpan Span) : Expr(Span);

public static class SyntaxFacts
{
    public static string Text(this BinaryOp op) => op switch
    {
        BinaryOp.Mul => "*", BinaryOp.Div => "/", BinaryOp.Rem => "%", BinaryOp.Add => "+", BinaryOp.Sub => "-",
        BinaryOp.Shl => "<<", BinaryOp.Shr => ">>", BinaryOp.Lt => "<", BinaryOp.Gt => ">", BinaryOp.Le => "<=",
        BinaryOp.Ge => ">=", BinaryOp.Eq => "==", BinaryOp.Ne => "!=", BinaryOp.BitAnd => "&", BinaryOp.BitXor => "^",
        BinaryOp.BitOr => "|", BinaryOp.LogicalAnd => "&&", BinaryOp.LogicalOr => "||",
        _ => op.ToString(),
    };

    public static string Text(this UnaryOp op) => op switch
    {
        UnaryOp.Plus => "+", UnaryOp.Negate => "-", UnaryOp.LogicalNot => "!", UnaryOp.BitNot => "~",
        UnaryOp.Deref => "*", UnaryOp.AddressOf => "&", UnaryOp.PreIncrement or UnaryOp.PostIncrement => "++",
        _ => "--",
    };
}
