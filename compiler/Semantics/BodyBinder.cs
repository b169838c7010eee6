using System.Collections.Immutable;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Syntax;

namespace Baker.Compiler.Semantics;

/// <summary>A folded constant and its type.</summary>
public sealed record ConstantValue(ulong Value, ScalarType Type);

/// <summary>
/// Binds the statements and expressions of one function body (or a constant expression, a demux
/// length) against its scopes: block locals, then the PPF's members, then top-level names.
/// C99 typing: integer promotion to i32, the usual arithmetic conversions, silent truncation on
/// assignment. Comparisons and logical operators give bool (which promotes back to i32).
/// </summary>
public sealed partial class BodyBinder
{
    private readonly Binder binder;
    private readonly FunctionSymbol? function;
    private readonly List<Dictionary<string, Symbol>> scopes = new();
    private readonly List<bool> breakTargets = new();   // true = loop (break and continue), false = switch (break only)

    public BodyBinder(Binder binder, FunctionSymbol? function)
    {
        this.binder = binder;
        this.function = function;
        Ppf = function?.Owner;
    }

    /// <summary>The PPF whose members are in scope (for state initialisers and PPF constants too).</summary>
    public PpfSymbol? Ppf { get; init; }

    /// <summary>Set while binding a protocol's demux: that protocol's fields are the names in scope.</summary>
    public ProtocolSymbol? DemuxProtocol { get; init; }

    private DiagnosticBag Diagnostics => binder.Diagnostics;
    private void Report(DiagnosticDescriptor d, SourceSpan span, params object[] args) => binder.Report(d, span, args);

    // ---- entry points ------------------------------------------------------------------------

    public void BindBody(FunctionDecl? decl)
    {
        if (function is null || decl is null) return;
        scopes.Add(new Dictionary<string, Symbol>(StringComparer.Ordinal));
        foreach (var (p, syntax) in function.Parameters.Zip(decl.Params)) Declare(syntax.Name, p);
        var body = BindBlock(decl.Body, newScope: false);
        scopes.RemoveAt(scopes.Count - 1);
        function.Body = body;

        if (function.ReturnType is not VoidType && !function.ReturnType.IsError && ControlFlow.CanCompleteNormally(body))
            Report(DiagnosticCatalog.BadReturn, body.CloseSpan,
                $"function '{function.QualifiedName}' must return a '{function.ReturnType}' on every path; add a return statement");
    }

    public ConstantValue? EvaluateConstant(Expr e, string what)
    {
        int errors = Diagnostics.Items.Count;
        var bound = BindExpr(e);
        if (bound is BoundLiteral { Type: ScalarType t } lit) return new ConstantValue(lit.Value, t);
        if (!bound.Type.IsError && Diagnostics.Items.Count == errors) Report(DiagnosticCatalog.NotConstant, e.Span, what);
        return null;
    }

    public BoundExpr BindDemux(Expr e) => Convert(BindExpr(e), ScalarType.U32);

    // ---- scopes ------------------------------------------------------------------------------

    private void Declare(Name name, Symbol symbol)
    {
        var scope = scopes[^1];
        if (scope.TryGetValue(name.Text, out var prev))
        {
            Report(DiagnosticCatalog.DuplicateDeclaration, name.Span, name.Text, "in this scope", prev.Span);
            return;
        }
        if (Binder.BuiltinNames.Contains(name.Text))
        {
            Report(DiagnosticCatalog.DuplicateDeclaration, name.Span, name.Text, "as a built-in", "the language reference");
            return;
        }
        scope[name.Text] = symbol;
    }

    private Symbol? Lookup(string name)
    {
        for (int i = scopes.Count - 1; i >= 0; i--)
            if (scopes[i].TryGetValue(name, out var s)) return s;
        if (DemuxProtocol?.Field(name) is { } hf) return hf;
        if (Ppf is not null)
        {
            if (Ppf.State.Find(v => v.Name == name) is { } v) return v;
            if (Ppf.Consts.Find(c => c.Name == name) is { } c) return c;
            if (Ppf.Endpoint(name) is { } e) return e;
            if (Ppf.Functions.Find(f => f.Name == name) is { } f) return f;
        }
        return binder.LookupGlobal(name);
    }

    // ---- conversions -------------------------------------------------------------------------

    /// <summary>Implicit conversion (assignment, initialisation, arguments, returns); reports and returns an error node when impossible.</summary>
    internal BoundExpr Convert(BoundExpr e, BakerType to, string context = "")
    {
        var from = e.Type;
        if (from.IsError || to.IsError) return e;
        if (from == to)
        {
            if (from.ContainsLock) Report(DiagnosticCatalog.LockMisuse, e.Span, $"a '{from}' value cannot be copied");
            return e;
        }
        switch (from, to)
        {
            case (ScalarType fs, ScalarType ts):
                if (e is BoundLiteral lit)
                {
                    if (!ScalarArithmetic.FitsLoosely(lit.Value, fs, ts))
                        Report(DiagnosticCatalog.ConstantTruncated, e.Span, Signed(lit.Value, fs), ts, Signed(ts.Normalize(lit.Value), ts));
                    return new BoundLiteral(ts.Normalize(lit.Value), ts, e.Span);
                }
                return new BoundConversion(e, ts, false, e.Span);
            case (HandleType fh, HandleType th):
                if (fh.Protocol is not null && th.Protocol is not null)
                {
                    Report(DiagnosticCatalog.HandleProtocolMismatch, e.Span, fh, th);
                    return new BoundError(e.Span);
                }
                return new BoundConversion(e, th, false, e.Span);
            case (ArrayType, _):
            case (_, ArrayType):
                Report(DiagnosticCatalog.ArrayAssignment, e.Span);
                return new BoundError(e.Span);
        }
        Report(DiagnosticCatalog.TypeMismatch, e.Span, from, to, context);
        return new BoundError(e.Span);
    }

    private static string Signed(ulong v, ScalarType t) => t.IsSigned ? ((long)v).ToString() : v.ToString();

    private BoundExpr ConvertCondition(BoundExpr e)
    {
        if (e.Type.IsError) return e;
        if (e.Type is not ScalarType)
        {
            Report(DiagnosticCatalog.BadCondition, e.Span, e.Type);
            return new BoundError(e.Span);
        }
        if (e.Type == ScalarType.Bool) return e;
        if (e is BoundLiteral lit) return new BoundLiteral(lit.Value != 0 ? 1UL : 0UL, ScalarType.Bool, e.Span);
        return new BoundConversion(e, ScalarType.Bool, false, e.Span);
    }

    private BoundExpr ConvertScalar(BoundExpr e, ScalarType to) =>
        e.Type == to || e.Type.IsError ? e :
        e is BoundLiteral lit ? new BoundLiteral(to.Normalize(lit.Value), to, e.Span) :
        new BoundConversion(e, to, false, e.Span);
}
