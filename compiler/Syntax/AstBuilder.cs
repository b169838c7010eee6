using System.Collections.Immutable;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using Baker.Compiler.Diagnostics;
using static Baker.Compiler.Syntax.Generated.BakerParser;

namespace Baker.Compiler.Syntax;

/// <summary>
/// ANTLR's concrete tree → the immutable AST. Runs only on trees without syntax errors, so every
/// child the grammar requires is present. Literal values are decoded here (with diagnostics for
/// out-of-range literals), so later stages see numbers, not text.
/// </summary>
internal sealed class AstBuilder(string path, DiagnosticBag diagnostics)
{
    public CompilationUnit Build(CompilationUnitContext cx) =>
        new(path, cx.topDecl().SelectMany(TopDecl).ToImmutableArray(), Span(cx));

    private IEnumerable<Decl> TopDecl(TopDeclContext cx)
    {
        if (cx.importDecl() is { } imp) return [new ImportDecl(Unquote(imp.STRING().GetText()), Span(imp.STRING().Symbol))];
        if (cx.protocolDecl() is { } proto) return [Protocol(proto)];
        if (cx.metadataDecl() is { } meta) return [new MetadataDecl(meta.fieldDecl().SelectMany(Fields).ToImmutableArray(), Span(meta))];
        if (cx.structDecl() is { } st) return [new StructDecl(Name(st.ID()), st.fieldDecl().SelectMany(Fields).ToImmutableArray(), Span(st))];
        if (cx.constDecl() is { } c) return [Const(c)];
        if (cx.ppfDecl() is { } ppf) return [Ppf(ppf)];
        if (cx.moduleDecl() is { } mod) return [Module(mod.ID(), false, mod.moduleMember(), mod)];
        if (cx.appDecl() is { } app) return [Module(app.ID(), true, app.moduleMember(), app)];
        if (cx.functionDecl() is { } fn) return [Function(fn, isControl: false)];
        return Vars(cx.varDecl());
    }

    private ProtocolDecl Protocol(ProtocolDeclContext cx)
    {
        var fields = ImmutableArray.CreateBuilder<ProtocolFieldDecl>();
        var demuxes = ImmutableArray.CreateBuilder<Expr>();
        foreach (var member in cx.protocolMember())
        {
            switch (member)
            {
                case ProtocolFieldContext f: fields.Add(new ProtocolFieldDecl(Name(f.ID()), Expr(f.expr()), Span(f))); break;
                case ProtocolDemuxContext d: demuxes.Add(Expr(d.expr())); break;
            }
        }
        return new ProtocolDecl(Name(cx.ID()), fields.ToImmutable(), demuxes.ToImmutable(), Span(cx));
    }

    private IEnumerable<FieldDecl> Fields(FieldDeclContext cx)
    {
        var type = Type(cx.type());
        foreach (var d in cx.declarator())
            yield return new FieldDecl(type, Name(d.ID()), d.expr().Select(Expr).ToImmutableArray(), Span(d));
    }

    private ConstDecl Const(ConstDeclContext cx) => new(Type(cx.type()), Name(cx.ID()), Expr(cx.expr()), Span(cx));

    private IEnumerable<VarDecl> Vars(VarDeclContext cx) => InitDeclarators(cx.type(), cx.initDeclarator());

    private IEnumerable<VarDecl> InitDeclarators(TypeContext typeCx, InitDeclaratorContext[] declarators)
    {
        var type = Type(typeCx);
        foreach (var id in declarators)
        {
            var d = id.declarator();
            yield return new VarDecl(type, Name(d.ID()), d.expr().Select(Expr).ToImmutableArray(),
                id.expr() is { } init ? Expr(init) : null, Span(id));
        }
    }

    private FunctionDecl Function(FunctionDeclContext cx, bool isControl) =>
        new(Type(cx.type()), Name(cx.ID()),
            cx.paramList()?.param().Select(Param).ToImmutableArray() ?? ImmutableArray<Param>.Empty,
            Block(cx.block()), isControl, Span(cx));

    private Param Param(ParamContext cx) => new(Type(cx.type()), Name(cx.ID()), Span(cx));

    private TypeSyntax Type(TypeContext cx)
    {
        var b = cx.baseType();
        string name = b.ID() is { } id ? id.GetText() : b.GetText();
        return new TypeSyntax(name, cx.ChildCount - 1, Span(cx));
    }

    private PpfDecl Ppf(PpfDeclContext cx)
    {
        var endpoints = ImmutableArray.CreateBuilder<EndpointDecl>();
        var consts = ImmutableArray.CreateBuilder<ConstDecl>();
        var state = ImmutableArray.CreateBuilder<VarDecl>();
        var inits = ImmutableArray.CreateBuilder<InitDecl>();
        var processes = ImmutableArray.CreateBuilder<ProcessDecl>();
        var functions = ImmutableArray.CreateBuilder<FunctionDecl>();
        foreach (var m in cx.ppfMember())
        {
            if (m.endpointDecl() is { } ep) endpoints.Add(Endpoint(ep));
            else if (m.constDecl() is { } c) consts.Add(Const(c));
            else if (m.initBlock() is { } init) inits.Add(new InitDecl(Block(init.block()), Span(init)));
            else if (m.processDecl() is { } p) processes.Add(new ProcessDecl(Name(p.ID()), Param(p.param()), Block(p.block()), Span(p)));
            else if (m.functionDecl() is { } fn) functions.Add(Function(fn, isControl: m.CONTROL() is not null));
            else if (m.varDecl() is { } v) state.AddRange(Vars(v));
        }
        return new PpfDecl(Name(cx.ID()), endpoints.ToImmutable(), consts.ToImmutable(), state.ToImmutable(), inits.ToImmutable(),
            processes.ToImmutable(), functions.ToImmutable(), Span(cx));
    }

    private EndpointDecl Endpoint(EndpointDeclContext cx) =>
        new(cx.INPUT() is not null, Name(cx.ID(0)), Name(cx.ID(1)), Span(cx));

    private ModuleDecl Module(ITerminalNode name, bool isApp, ModuleMemberContext[] members, ParserRuleContext cx)
    {
        var endpoints = ImmutableArray.CreateBuilder<EndpointDecl>();
        var instances = ImmutableArray.CreateBuilder<InstanceDecl>();
        var wires = ImmutableArray.CreateBuilder<WireDecl>();
        foreach (var m in members)
        {
            if (m.endpointDecl() is { } ep) endpoints.Add(Endpoint(ep));
            else if (m.instanceDecl() is { } inst)
                instances.Add(new InstanceDecl(inst.MODULE() is not null, Name(inst.ID(0)), Name(inst.ID(1)), Span(inst)));
            else if (m.wiringBlock() is { } wiring)
            {
                foreach (var w in wiring.wire())
                {
                    var left = EndpointRef(w.endpointRef(0));
                    var right = EndpointRef(w.endpointRef(1));
                    wires.Add(w.back is null ? new WireDecl(left, right, Span(w)) : new WireDecl(right, left, Span(w)));
                }
            }
        }
        return new ModuleDecl(Name(name), isApp, endpoints.ToImmutable(), instances.ToImmutable(), wires.ToImmutable(), Span(cx));
    }

    private EndpointRef EndpointRef(EndpointRefContext cx) =>
        cx.ID().Length == 2 ? new EndpointRef(Name(cx.ID(0)), Name(cx.ID(1)), Span(cx)) : new EndpointRef(null, Name(cx.ID(0)), Span(cx));

    // ---- statements --------------------------------------------------------------------------

    private BlockStmt Block(BlockContext cx) =>
        new(cx.statement().Select(Stmt).ToImmutableArray(), Span(cx.Stop), Span(cx));

    private Stmt Stmt(StatementContext cx) => cx switch
    {
        BlockStmtContext b => Block(b.block()),
        LocalConstStmtContext c => new LocalConstStmt(Const(c.constDecl()), Span(c)),
        LocalVarStmtContext v => new LocalVarStmt(Vars(v.varDecl()).ToImmutableArray(), Span(v)),
        IfStmtContext i => new IfStmt(Expr(i.expr()), Stmt(i.statement(0)), i.statement().Length > 1 ? Stmt(i.statement(1)) : null, Span(i)),
        WhileStmtContext w => new WhileStmt(Expr(w.expr()), Stmt(w.statement()), Span(w)),
        DoStmtContext d => new DoStmt(Stmt(d.statement()), Expr(d.expr()), Span(d)),
        ForStmtContext f => For(f),
        SwitchStmtContext s => new SwitchStmt(Expr(s.expr()), s.switchSection().Select(Section).ToImmutableArray(), Span(s)),
        BreakStmtContext b => new BreakStmt(Span(b)),
        ContinueStmtContext c => new ContinueStmt(Span(c)),
        ReturnStmtContext r => new ReturnStmt(r.expr() is { } e ? Expr(e) : null, Span(r)),
        ExprStmtContext e => new ExprStmt(Expr(e.expr()), Span(e)),
        _ => new EmptyStmt(Span(cx)),
    };

    private ForStmt For(ForStmtContext cx)
    {
        var init = ImmutableArray<Stmt>.Empty;
        if (cx.forInit() is { } fi)
        {
            init = fi.type() is { } t
                ? [new LocalVarStmt(InitDeclarators(t, fi.initDeclarator()).ToImmutableArray(), Span(fi))]
                : fi.exprList().expr().Select(e => (Stmt)new ExprStmt(Expr(e), Span(e))).ToImmutableArray();
        }
        return new ForStmt(init, cx.expr() is { } c ? Expr(c) : null,
            cx.exprList()?.expr().Select(Expr).ToImmutableArray() ?? ImmutableArray<Expr>.Empty, Stmt(cx.statement()), Span(cx));
    }

    private SwitchSection Section(SwitchSectionContext cx) =>
        new(cx.switchLabel().Select(l => new CaseLabel(l.expr() is { } e ? Expr(e) : null, Span(l))).ToImmutableArray(),
            cx.statement().Select(Stmt).ToImmutableArray(), Span(cx));

    // ---- expressions -------------------------------------------------------------------------

    private Expr Expr(ExprContext cx)
    {
        var span = Span(cx);
        switch (cx)
        {
            case PrimaryExprContext p: return Primary(p.primary());
            case IndexExprContext i: return new IndexExpr(Expr(i.expr(0)), Expr(i.expr(1)), span);
            case MemberExprContext m: return new MemberExpr(Expr(m.expr()), Name(m.ID()), false, span);
            case ArrowExprContext a: return new MemberExpr(Expr(a.expr()), Name(a.ID()), true, span);
            case PostfixExprContext p:
                return new UnaryExpr(p.op.Text == "++" ? UnaryOp.PostIncrement : UnaryOp.PostDecrement, Expr(p.expr()), span);
            case PrefixExprContext p:
                var op = p.op.Text switch
                {
                    "++" => UnaryOp.PreIncrement, "--" => UnaryOp.PreDecrement, "+" => UnaryOp.Plus, "-" => UnaryOp.Negate,
                    "!" => UnaryOp.LogicalNot, "~" => UnaryOp.BitNot, "*" => UnaryOp.Deref, _ => UnaryOp.AddressOf,
                };
                return new UnaryExpr(op, Expr(p.expr()), span);
            case CastExprContext c:
                var ct = c.castType();
                var type = ct.scalarType() is { } s
                    ? new TypeSyntax(s.GetText(), 0, Span(ct))
                    : new TypeSyntax(ct.ID().GetText(), ct.ChildCount - 1, Span(ct));
                return new CastExpr(type, Expr(c.expr()), span);
            case BinaryExprContext b:
                return new BinaryExpr(BinaryOperator(b.op.Text), Expr(b.expr(0)), Expr(b.expr(1)), span);
            case ConditionalExprContext q:
                return new ConditionalExpr(Expr(q.expr(0)), Expr(q.expr(1)), Expr(q.expr(2)), span);
            case AssignExprContext a:
                BinaryOp? aop = a.op.Text == "=" ? null : BinaryOperator(a.op.Text[..^1]);
                return new AssignExpr(aop, Expr(a.expr(0)), Expr(a.expr(1)), span);
            default:
                throw new InvalidOperationException($"AstBuilder: unhandled expression form '{cx.GetType().Name}'");
        }
    }

    private static BinaryOp BinaryOperator(string text) => text switch
    {
        "*" => BinaryOp.Mul, "/" => BinaryOp.Div, "%" => BinaryOp.Rem, "+" => BinaryOp.Add, "-" => BinaryOp.Sub,
        "<<" => BinaryOp.Shl, ">>" => BinaryOp.Shr, "<" => BinaryOp.Lt, ">" => BinaryOp.Gt, "<=" => BinaryOp.Le,
        ">=" => BinaryOp.Ge, "==" => BinaryOp.Eq, "!=" => BinaryOp.Ne, "&" => BinaryOp.BitAnd, "^" => BinaryOp.BitXor,
        "|" => BinaryOp.BitOr, "&&" => BinaryOp.LogicalAnd, "||" => BinaryOp.LogicalOr,
        _ => throw new InvalidOperationException($"AstBuilder: unknown operator '{text}'"),
    };

    private Expr Primary(PrimaryContext cx)
    {
        var span = Span(cx);
        switch (cx)
        {
            case CallPrimaryContext c:
                return new CallExpr(Name(c.ID()), c.exprList()?.expr().Select(Expr).ToImmutableArray() ?? ImmutableArray<Expr>.Empty, span);
            case SizeofPrimaryContext s: return new SizeofExpr(Type(s.type()), span);
            case NamePrimaryContext n: return new NameExpr(n.ID().GetText(), span);
            case IntPrimaryContext i: return Integer(i.INT().GetText(), span);
            case Ipv4PrimaryContext ip: return Ipv4(ip.IPV4().GetText(), span);
            case MacPrimaryContext m:
                return new IntLiteralExpr(Literals.Mac(m.MAC().GetText()), LiteralKind.Mac, m.MAC().GetText(), span);
            case CharPrimaryContext ch: return Char(ch.CHAR().GetText(), span);
            case StringPrimaryContext s: return new StringLiteralExpr(Unquote(s.STRING().GetText()), span);
            case BoolPrimaryContext b: return new BoolLiteralExpr(b.TRUE() is not null, span);
            case ParenPrimaryContext p: return Expr(p.expr());
            default:
                throw new InvalidOperationException($"AstBuilder: unhandled primary form '{cx.GetType().Name}'");
        }
    }

    private IntLiteralExpr Integer(string text, SourceSpan span)
    {
        var kind = !Literals.HasRadixPrefix(text) ? LiteralKind.Decimal : text[1] is 'x' or 'X' ? LiteralKind.Hex : LiteralKind.Binary;
        if (Literals.Integer(text, out var value) is { } problem) diagnostics.Report(DiagnosticCatalog.InvalidInteger, span, text, problem);
        return new IntLiteralExpr(value, kind, text, span);
    }

    private IntLiteralExpr Ipv4(string text, SourceSpan span)
    {
        if (!Literals.Ipv4(text, out var value)) diagnostics.Report(DiagnosticCatalog.InvalidIpv4, span, text);
        return new IntLiteralExpr(value, LiteralKind.Ipv4, text, span);
    }

    private IntLiteralExpr Char(string text, SourceSpan span)
    {
        var value = Literals.Char(text);
        if (value is null) diagnostics.Report(DiagnosticCatalog.InvalidCharLiteral, span, text);
        return new IntLiteralExpr((ulong)(value ?? 0), LiteralKind.Char, text, span);
    }

    /// <summary>The value of a string literal; an unknown escape keeps its character.</summary>
    private static string Unquote(string text)
    {
        var body = text[1..^1];
        var sb = new System.Text.StringBuilder(body.Length);
        for (int i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\' || i + 1 == body.Length) { sb.Append(body[i]); continue; }
            char e = body[++i];
            sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => e });
        }
        return sb.ToString();
    }

    private Name Name(ITerminalNode node) => new(node.GetText(), Span(node.Symbol));

    private SourceSpan Span(IToken token) => SyntaxParser.SpanOf(path, token);

    private SourceSpan Span(ParserRuleContext cx)
    {
        var start = cx.Start;
        var stop = cx.Stop ?? start;
        return new SourceSpan(path, start.Line, start.Column + 1, start.StartIndex, Math.Max(start.StartIndex, stop.StopIndex + 1));
    }
}
