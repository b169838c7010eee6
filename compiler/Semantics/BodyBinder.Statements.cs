using System.Collections.Immutable;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Syntax;

namespace Baker.Compiler.Semantics;

public sealed partial class BodyBinder
{
    private BoundBlock BindBlock(BlockStmt block, bool newScope = true)
    {
        if (newScope) scopes.Add(new Dictionary<string, Symbol>(StringComparer.Ordinal));
        var statements = ImmutableArray.CreateBuilder<BoundStmt>();
        foreach (var s in block.Statements) statements.AddRange(BindStatement(s));
        if (newScope) scopes.RemoveAt(scopes.Count - 1);
        return new BoundBlock(statements.ToImmutable(), block.CloseSpan, block.Span);
    }

    /// <summary>A statement in its own scope (the body of if/while/for), so that a declaration there ends with it.</summary>
    private BoundStmt BindScoped(Stmt s)
    {
        if (s is BlockStmt b) return BindBlock(b);
        scopes.Add(new Dictionary<string, Symbol>(StringComparer.Ordinal));
        var bound = BindStatement(s);
        scopes.RemoveAt(scopes.Count - 1);
        return bound.Count == 1 ? bound[0] : new BoundBlock(bound.ToImmutableArray(), s.Span, s.Span);
    }

    private List<BoundStmt> BindStatement(Stmt s)
    {
        switch (s)
        {
            case BlockStmt b: return [BindBlock(b)];
            case LocalConstStmt c:
                var constant = binder.BindConst(c.Decl, this);
                Declare(c.Decl.Name, constant);
                return [];
            case LocalVarStmt v: return v.Decls.Select(BindLocal).ToList<BoundStmt>();
            case IfStmt i:
                return [new BoundIf(ConvertCondition(BindExpr(i.Condition)), BindScoped(i.Then), i.Else is null ? null : BindScoped(i.Else), i.Span)];
            case WhileStmt w:
                var wc = ConvertCondition(BindExpr(w.Condition));
                return [new BoundWhile(wc, BindLoopBody(w.Body), w.Span)];
            case DoStmt d:
                var db = BindLoopBody(d.Body);
                return [new BoundDoWhile(db, ConvertCondition(BindExpr(d.Condition)), d.Span)];
            case ForStmt f: return [BindFor(f)];
            case SwitchStmt sw: return [BindSwitch(sw)];
            case BreakStmt b:
                if (breakTargets.Count == 0) Report(DiagnosticCatalog.BreakOutside, b.Span, "break", "loop or switch");
                return [new BoundBreak(b.Span)];
            case ContinueStmt c:
                if (!breakTargets.Contains(true)) Report(DiagnosticCatalog.BreakOutside, c.Span, "continue", "loop");
                return [new BoundContinue(c.Span)];
            case ReturnStmt r: return [BindReturn(r)];
            case ExprStmt e:
                var expr = BindExpr(e.Expr);
                if (expr is not (BoundAssignment or BoundCompoundAssignment or BoundIncrement or BoundCall or BoundIntrinsicCall or BoundError)
                    && !expr.Type.IsError)
                    Report(DiagnosticCatalog.UselessExpression, e.Span);
                return [new BoundExprStmt(expr, e.Span)];
            default:
                return [];
        }
    }

    private BoundLocalDecl BindLocal(VarDecl v)
    {
        var type = binder.ApplyDimensions(binder.ResolveType(v.Type), v.Dimensions, this);
        if (type is VoidType) { Report(DiagnosticCatalog.VoidVariable, v.Name.Span, v.Name.Text); type = ErrorType.Instance; }
        if (type.ContainsLock) { Report(DiagnosticCatalog.LockMisuse, v.Name.Span, $"local '{v.Name.Text}' has type '{type}'"); type = ErrorType.Instance; }
        if (type.ContainsHandle && type is not HandleType)
        {
            Report(DiagnosticCatalog.HandleStorage, v.Name.Span, v.Name.Text, type is ArrayType ? "an array element" : "held behind a pointer or in a struct");
            type = ErrorType.Instance;
        }
        BoundExpr? init = null;
        if (v.Initializer is not null)
        {
            if (type is ArrayType)
            {
                Report(DiagnosticCatalog.BadInitializer, v.Initializer.Span,
                    $"array '{v.Name.Text}' cannot have an initialiser; locals arrays start at zero: fill them in a loop");
                BindExpr(v.Initializer);
            }
            else init = Convert(BindExpr(v.Initializer), type, $" (initialising '{v.Name.Text}')");
        }
        var symbol = new VariableSymbol(v.Name.Text, v.Name.Span, type, VariableKind.Local, null);
        Declare(v.Name, symbol);
        return new BoundLocalDecl(symbol, init, v.Span);
    }

    private BoundStmt BindLoopBody(Stmt body)
    {
        breakTargets.Add(true);
        var bound = BindScoped(body);
        breakTargets.RemoveAt(breakTargets.Count - 1);
        return bound;
    }

    private BoundFor BindFor(ForStmt f)
    {
        scopes.Add(new Dictionary<string, Symbol>(StringComparer.Ordinal));
        var init = f.Init.SelectMany(BindStatement).ToImmutableArray();
        var cond = f.Condition is null ? null : ConvertCondition(BindExpr(f.Condition));
        var step = f.Step.Select(BindExpr).ToImmutableArray();
        var body = BindLoopBody(f.Body);
        scopes.RemoveAt(scopes.Count - 1);
        return new BoundFor(init, cond, step, body, f.Span);
    }

    private BoundSwitch BindSwitch(SwitchStmt sw)
    {
        var value = BindExpr(sw.Value);
        ScalarType type = ScalarType.I32;
        if (value.Type is ScalarType st && st.IsInteger || value.Type == ScalarType.Bool)
        {
            type = ScalarArithmetic.Promote((ScalarType)value.Type);
            value = ConvertScalar(value, type);
        }
        else if (!value.Type.IsError)
        {
            Report(DiagnosticCatalog.BadCondition, value.Span, value.Type);
            value = new BoundError(value.Span);
        }

        var seen = new Dictionary<ulong, SourceSpan>();
        bool hasDefault = false;
        var sections = ImmutableArray.CreateBuilder<BoundSwitchSection>();
        breakTargets.Add(false);
        foreach (var section in sw.Sections)
        {
            var labels = ImmutableArray.CreateBuilder<ulong>();
            bool isDefault = false;
            foreach (var label in section.Labels)
            {
                if (label.Value is null)
                {
                    if (hasDefault) Report(DiagnosticCatalog.DuplicateCase, label.Span, "'default'");
                    hasDefault = isDefault = true;
                    continue;
                }
                if (EvaluateConstant(label.Value, "a case label") is not { } c) continue;
                ulong v = type.Normalize(c.Value);
                if (!seen.TryAdd(v, label.Span))
                {
                    Report(DiagnosticCatalog.DuplicateCase, label.Span, Signed(v, type));
                    continue;
                }
                labels.Add(v);
            }
            scopes.Add(new Dictionary<string, Symbol>(StringComparer.Ordinal));
            var body = section.Body.SelectMany(BindStatement).ToImmutableArray();
            scopes.RemoveAt(scopes.Count - 1);
            // The language's rule is syntactic: a non-empty body ends (braces unwrapped) in break, return or continue.
            if (section.Body.Length > 0 && !EndsInJump(section.Body[^1]))
                Report(DiagnosticCatalog.CaseFallsThrough, section.Labels[0].Span);
            sections.Add(new BoundSwitchSection(labels.ToImmutable(), isDefault, body, section.Span));
        }
        breakTargets.RemoveAt(breakTargets.Count - 1);
        return new BoundSwitch(value, sections.ToImmutable(), sw.Span);
    }

    private static bool EndsInJump(Stmt s) => s switch
    {
        BreakStmt or ReturnStmt or ContinueStmt => true,
        BlockStmt b => b.Statements.Length > 0 && EndsInJump(b.Statements[^1]),
        _ => false,
    };

    private BoundReturn BindReturn(ReturnStmt r)
    {
        var returnType = function?.ReturnType ?? VoidType.Instance;
        if (r.Value is null)
        {
            if (returnType is not VoidType && !returnType.IsError)
                Report(DiagnosticCatalog.BadReturn, r.Span, $"'{function!.QualifiedName}' returns '{returnType}'; give the return a value");
            return new BoundReturn(null, r.Span);
        }
        var value = BindExpr(r.Value);
        if (returnType is VoidType)
        {
            Report(DiagnosticCatalog.BadReturn, r.Span, $"'{function?.QualifiedName}' returns nothing; remove the value or declare a return type");
            return new BoundReturn(null, r.Span);
        }
        return new BoundReturn(Convert(value, returnType, " (the return value)"), r.Span);
    }
}
