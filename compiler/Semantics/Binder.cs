using System.Collections.Immutable;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Syntax;

namespace Baker.Compiler.Semantics;

/// <summary>
/// Semantic analysis of a whole program (all files, imports resolved): declares every top-level
/// name, lays out protocols, structs and metadata, binds PPFs and function bodies (BodyBinder),
/// checks modules and the app's wiring (WiringBinder) and the call graph. Never throws on bad
/// input: every problem is a diagnostic, and ErrorType keeps one mistake from cascading.
/// </summary>
public sealed partial class Binder
{
    private readonly DiagnosticBag diagnostics;
    private readonly BoundProgram program;
    private readonly Dictionary<string, Symbol> globals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConstDecl> pendingConsts = new(StringComparer.Ordinal);
    private readonly HashSet<string> constsInProgress = new(StringComparer.Ordinal);
    private readonly HashSet<StructSymbol> structsLaidOut = new();
    private readonly HashSet<StructSymbol> structsInProgress = new();
    private readonly Dictionary<FunctionSymbol, FunctionDecl?> functionDecls = new();

    private Binder(IReadOnlyList<CompilationUnit> units, DiagnosticBag diagnostics)
    {
        this.diagnostics = diagnostics;
        program = new BoundProgram { Units = units };
    }

    public static BoundProgram Bind(IReadOnlyList<CompilationUnit> units, DiagnosticBag diagnostics)
    {
        var binder = new Binder(units, diagnostics);
        binder.Run();
        return binder.program;
    }

    internal DiagnosticBag Diagnostics => diagnostics;
    internal BoundProgram Program => program;

    private void Run()
    {
        var decls = program.Units.SelectMany(u => u.Decls).ToList();
        DeclareBuiltinMetadata();
        foreach (var d in decls) Declare(d);
        // Globals and functions are declared before constants are folded, so that a constant that
        // names one is reported as not constant rather than undeclared; constants, structs and
        // protocols are resolved on first need, whatever the order of declarations.
        foreach (var v in decls.OfType<VarDecl>()) DeclareGlobal(v, null);
        foreach (var f in decls.OfType<FunctionDecl>()) DeclareFunction(f, null, FunctionKind.Helper);
        foreach (var name in pendingConsts.Keys.ToList()) ResolveConst(name);
        foreach (var s in program.Structs) LayOut(s);
        foreach (var p in program.Protocols) LayOut(p);
        foreach (var m in decls.OfType<MetadataDecl>()) DeclareMetadata(m);
        foreach (var p in program.Ppfs) DeclarePpfMembers(p);

        foreach (var (fn, decl) in functionDecls) new BodyBinder(this, fn).BindBody(decl);

        new WiringBinder(this).Run(decls.OfType<ModuleDecl>().ToList());
        CallGraphCheck.Run(program, diagnostics);
    }

    // ---- declarations ------------------------------------------------------------------------

    private void Declare(Decl d)
    {
        switch (d)
        {
            case ProtocolDecl p:
                var proto = new ProtocolSymbol(p.Name.Text, p.Name.Span, p);
                if (DeclareGlobalName(p.Name, proto, "as a protocol")) program.Protocols.Add(proto);
                break;
            case StructDecl s:
                var st = new StructSymbol(s.Name.Text, s.Name.Span, s);
                if (DeclareGlobalName(s.Name, st, "as a struct")) program.Structs.Add(st);
                break;
            case ConstDecl c:
                if (CheckGlobalNameFree(c.Name)) pendingConsts[c.Name.Text] = c;
                break;
            case PpfDecl p:
                var ppf = new PpfSymbol(p.Name.Text, p.Name.Span, p);
                if (DeclareGlobalName(p.Name, ppf, "as a PPF")) program.Ppfs.Add(ppf);
                break;
            case ModuleDecl m:
                var mod = new ModuleSymbol(m.Name.Text, m.Name.Span, m);
                if (DeclareGlobalName(m.Name, mod, m.IsApp ? "as an app" : "as a module")) program.Modules.Add(mod);
                break;
        }
    }

    private bool CheckGlobalNameFree(Name name)
    {
        if (globals.TryGetValue(name.Text, out var existing))
        {
            diagnostics.Report(DiagnosticCatalog.DuplicateDeclaration, name.Span, name.Text, "at top level", existing.Span);
            return false;
        }
        if (pendingConsts.TryGetValue(name.Text, out var c))
        {
            diagnostics.Report(DiagnosticCatalog.DuplicateDeclaration, name.Span, name.Text, "at top level", c.Name.Span);
            return false;
        }
        if (BuiltinNames.Contains(name.Text))
        {
            diagnostics.Report(DiagnosticCatalog.DuplicateDeclaration, name.Span, name.Text, "as a built-in", "the language reference");
            return false;
        }
        return true;
    }

    private bool DeclareGlobalName(Name name, Symbol symbol, string what)
    {
        if (!CheckGlobalNameFree(name)) return false;
        globals[name.Text] = symbol;
        return true;
    }

    /// <summary>Names the language gives meaning to: built-in functions, types and endpoints.</summary>
    internal static readonly HashSet<string> BuiltinNames = new(StringComparer.Ordinal)
    {
        "packet", "rx", "tx",
        "packet_decap", "packet_encap", "packet_copy", "packet_create", "packet_drop", "packet_length",
        "packet_byte", "packet_set_byte", "packet_trim", "packet_extend", "channel_put",
        "lock", "unlock", "try_lock", "hash32", "hash64", "crc32", "now", "min", "max", "trace",
    };

    /// <summary>Looks a name up among top-level declarations, resolving a constant on first use.</summary>
    internal Symbol? LookupGlobal(string name)
    {
        if (globals.TryGetValue(name, out var s)) return s;
        return pendingConsts.ContainsKey(name) ? ResolveConst(name) : null;
    }

    private ConstSymbol? ResolveConst(string name)
    {
        if (globals.TryGetValue(name, out var done)) return done as ConstSymbol;
        var decl = pendingConsts[name];
        if (!constsInProgress.Add(name))
        {
            diagnostics.Report(DiagnosticCatalog.NotConstant, decl.Value.Span, $"the value of '{name}', which depends on itself,");
            return null;
        }
        var c = BindConst(decl, new BodyBinder(this, null));
        constsInProgress.Remove(name);
        pendingConsts.Remove(name);
        globals[name] = c;
        program.Consts.Add(c);
        return c;
    }

    internal ConstSymbol BindConst(ConstDecl decl, BodyBinder scope)
    {
        var type = ResolveType(decl.Type);
        ulong value = 0;
        if (type is not ScalarType st)
        {
            if (!type.IsError) diagnostics.Report(DiagnosticCatalog.TypeMismatch, decl.Type.Span, type, "a scalar type", " (constants are scalars)");
            type = ErrorType.Instance;
        }
        else if (scope.EvaluateConstant(decl.Value, $"the value of constant '{decl.Name.Text}'") is { } v)
        {
            value = st.Normalize(v.Value);
            if (!ScalarArithmetic.FitsLoosely(v.Value, v.Type, st))
                diagnostics.Report(DiagnosticCatalog.ConstantTruncated, decl.Value.Span, (long)v.Value, st, (long)value);
        }
        return new ConstSymbol(decl.Name.Text, decl.Name.Span, type, value);
    }

    // ---- types and layouts -------------------------------------------------------------------

    internal BakerType ResolveType(TypeSyntax t, bool reportUnknown = true)
    {
        BakerType baseType = t.Name switch
        {
            "u8" => ScalarType.U8, "u16" => ScalarType.U16, "u32" => ScalarType.U32, "u64" => ScalarType.U64,
            "i8" => ScalarType.I8, "i16" => ScalarType.I16, "i32" => ScalarType.I32, "i64" => ScalarType.I64,
            "bool" => ScalarType.Bool, "void" => VoidType.Instance, "lock_t" => LockType.Instance,
            _ => ErrorType.Instance,
        };
        int depth = t.PointerDepth;
        if (baseType.IsError)
        {
            var symbol = LookupGlobal(t.Name);
            bool isHandleBase = symbol is ProtocolSymbol || t.Name == "packet";
            if (symbol is StructSymbol s) baseType = new StructType(s);
            else if (isHandleBase && depth >= 1) { baseType = new HandleType(symbol as ProtocolSymbol); depth--; }
            else
            {
                if (reportUnknown)
                    diagnostics.Report(DiagnosticCatalog.UnknownType, t.Span,
                        isHandleBase ? $"{t.Name} (a protocol is used through a handle: write '{t.Name}*')" : t.Name);
                return ErrorType.Instance;
            }
        }
        for (int i = 0; i < depth; i++)
        {
            if (baseType is VoidType)
            {
                diagnostics.Report(DiagnosticCatalog.UnknownType, t.Span, t + " (there is no void pointer)");
                return ErrorType.Instance;
            }
            baseType = new PointerType(baseType);
        }
        return baseType;
    }

    /// <summary>Applies array dimensions (outermost first) to an element type.</summary>
    internal BakerType ApplyDimensions(BakerType element, ImmutableArray<Expr> dims, BodyBinder scope)
    {
        var result = element;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            var v = scope.EvaluateConstant(dims[i], "an array size");
            if (v is null) return ErrorType.Instance;
            long n = v.Type.IsSigned ? (long)v.Value : (v.Value > int.MaxValue ? -1 : (long)v.Value);
            if (n <= 0 || n > 1 << 26)
            {
                diagnostics.Report(DiagnosticCatalog.BadArraySize, dims[i].Span, n <= 0 ? n.ToString() : $"{v.Value} (too large)");
                return ErrorType.Instance;
            }
            result = new ArrayType(result, (int)n);
        }
        return result;
    }

    internal static (int Size, int Align) SizeOf(BakerType t) => t switch
    {
        ScalarType s => (s.Bytes, s.Bytes),
        LockType => (4, 4),
        PointerType => (4, 4),          // a 32-bit address in the target's flat memory
        HandleType => (4, 4),
        StructType st => (st.Symbol.Size, st.Symbol.Align),
        ArrayType a => (SizeOf(a.Element).Size * a.Length, SizeOf(a.Element).Align),
        _ => (0, 1),
    };

    /// <summary>Lays a struct out on first need (a constant may use its size before the struct's turn comes).</summary>
    internal void LayOut(StructSymbol s)
    {
        if (structsLaidOut.Contains(s)) return;
        if (!structsInProgress.Add(s)) return;
        var scope = new BodyBinder(this, null);
        int offset = 0, align = 1;
        foreach (var f in s.Decl.Fields)
        {
            var type = ResolveType(f.Type);
            if (type is StructType inner)
            {
                if (structsInProgress.Contains(inner.Symbol))
                {
                    diagnostics.Report(DiagnosticCatalog.BadInstance, f.Type.Span, $"struct '{s.Name}' contains itself through field '{f.Name.Text}'; use an array index or a pointer");
                    type = ErrorType.Instance;
                }
                else LayOut(inner.Symbol);
            }
            type = ApplyDimensions(type, f.Dimensions, scope);
            if (type is VoidType) { diagnostics.Report(DiagnosticCatalog.VoidVariable, f.Name.Span, f.Name.Text); type = ErrorType.Instance; }
            if (type.ContainsHandle)
            {
                diagnostics.Report(DiagnosticCatalog.HandleStorage, f.Name.Span, f.Name.Text, "a struct field");
                type = ErrorType.Instance;
            }
            if (s.Field(f.Name.Text) is not null)
            {
                diagnostics.Report(DiagnosticCatalog.DuplicateField, f.Name.Span, f.Name.Text, $"struct '{s.Name}'");
                continue;
            }
            var (size, a) = SizeOf(type);
            offset = (offset + a - 1) / a * a;
            s.Fields.Add(new StructField(f.Name.Text, f.Name.Span, type, offset));
            offset += size;
            align = Math.Max(align, a);
            s.ContainsLock |= type.ContainsLock;
        }
        s.Align = align;
        s.Size = Math.Max(1, (offset + align - 1) / align * align);
        structsInProgress.Remove(s);
        structsLaidOut.Add(s);
    }

    private readonly HashSet<ProtocolSymbol> protocolsLaidOut = new();

    /// <summary>Lays a protocol out on first need (sizeof in a constant may come before the protocol's turn).</summary>
    internal void LayOut(ProtocolSymbol p)
    {
        if (!protocolsLaidOut.Add(p)) return;
        var scope = new BodyBinder(this, null);
        int bit = 0;
        foreach (var f in p.Decl.Fields)
        {
            var w = scope.EvaluateConstant(f.Width, $"the width of field '{f.Name.Text}'");
            if (w is null) continue;
            long width = w.Type.IsSigned ? (long)w.Value : (w.Value > 64 ? 65 : (long)w.Value);
            if (width < 1 || width > 64)
            {
                diagnostics.Report(DiagnosticCatalog.BadFieldWidth, f.Width.Span, f.Name.Text, width);
                continue;
            }
            if (p.Field(f.Name.Text) is not null)
            {
                diagnostics.Report(DiagnosticCatalog.DuplicateField, f.Name.Span, f.Name.Text, $"protocol '{p.Name}'");
                continue;
            }
            p.Fields.Add(new ProtocolField(f.Name.Text, f.Name.Span, bit, (int)width));
            bit += (int)width;
        }
        p.TotalBits = bit;
        for (int i = 1; i < p.Decl.Demuxes.Length; i++)
            diagnostics.Report(DiagnosticCatalog.DuplicateDemux, p.Decl.Demuxes[i].Span, p.Name);
        if (p.Decl.Demuxes.Length > 0)
            p.Demux = new BodyBinder(this, null) { DemuxProtocol = p }.BindDemux(p.Decl.Demuxes[0]);
        else if (bit % 8 != 0)
            diagnostics.Report(DiagnosticCatalog.HeaderNotWholeBytes, p.Decl.Name.Span, p.Name, bit);
    }

    private void DeclareBuiltinMetadata()
    {
        program.Metadata.Add(new MetadataField("in_port", SourceSpan.None, ScalarType.U8, 0));
        program.Metadata.Add(new MetadataField("out_port", SourceSpan.None, ScalarType.U8, 1));
    }

    private void DeclareMetadata(MetadataDecl m)
    {
        var scope = new BodyBinder(this, null);
        foreach (var f in m.Fields)
        {
            var type = ApplyDimensions(ResolveType(f.Type), f.Dimensions, scope);
            if (type.IsError) continue;
            if (type.ContainsHandle)
            {
                diagnostics.Report(DiagnosticCatalog.HandleStorage, f.Name.Span, f.Name.Text, "a metadata field");
                continue;
            }
            if (type is not ScalarType st)
            {
                diagnostics.Report(DiagnosticCatalog.MetaNotProtocol, f.Type.Span,
                    $"metadata field '{f.Name.Text}' has type '{type}'; metadata fields are scalars");
                continue;
            }
            if (program.MetadataField(f.Name.Text) is { } existing)
            {
                if (existing.Type != st)
                    diagnostics.Report(DiagnosticCatalog.MetadataTypeConflict, f.Name.Span, f.Name.Text, st, existing.Type,
                        existing.Span == SourceSpan.None ? "the built-in declaration" : existing.Span.Short);
                continue;   // the same field declared again with the same type merges
            }
            program.Metadata.Add(new MetadataField(f.Name.Text, f.Name.Span, st, program.Metadata.Count));
        }
    }

    /// <summary>Declares a global (owner null) or a PPF state variable.</summary>
    private VariableSymbol? DeclareGlobal(VarDecl v, PpfSymbol? owner)
    {
        var scope = new BodyBinder(this, null) { Ppf = owner };
        var type = ApplyDimensions(ResolveType(v.Type), v.Dimensions, scope);
        string where = owner is null ? "a global" : "PPF state";
        if (type is VoidType) { diagnostics.Report(DiagnosticCatalog.VoidVariable, v.Name.Span, v.Name.Text); type = ErrorType.Instance; }
        if (type.ContainsHandle) { diagnostics.Report(DiagnosticCatalog.HandleStorage, v.Name.Span, v.Name.Text, where); type = ErrorType.Instance; }
        var symbol = new VariableSymbol(v.Name.Text, v.Name.Span, type, owner is null ? VariableKind.Global : VariableKind.State, owner);
        if (v.Initializer is not null)
        {
            if (type is ScalarType st)
            {
                if (scope.EvaluateConstant(v.Initializer, $"the initial value of {where} '{v.Name.Text}'") is { } init)
                {
                    symbol.InitialValue = st.Normalize(init.Value);
                    if (!ScalarArithmetic.FitsLoosely(init.Value, init.Type, st))
                        diagnostics.Report(DiagnosticCatalog.ConstantTruncated, v.Initializer.Span, (long)init.Value, st, (long)symbol.InitialValue);
                }
            }
            else if (!type.IsError)
                diagnostics.Report(DiagnosticCatalog.BadInitializer, v.Initializer.Span,
                    $"{where} '{v.Name.Text}' of type '{type}' cannot have an initialiser; it starts at zero: set it in init");
        }
        if (owner is null)
        {
            if (!DeclareGlobalName(v.Name, symbol, "as a global")) return null;
            program.Globals.Add(symbol);
        }
        return symbol;
    }

    private FunctionSymbol? DeclareFunction(FunctionDecl f, PpfSymbol? owner, FunctionKind kind)
    {
        var fn = new FunctionSymbol(f.Name.Text, f.Name.Span, kind, owner);
        fn.ReturnType = ResolveType(f.ReturnType);
        if (fn.ReturnType is ArrayType) diagnostics.Report(DiagnosticCatalog.ArrayAssignment, f.ReturnType.Span);
        if (fn.ReturnType.ContainsLock)
            diagnostics.Report(DiagnosticCatalog.LockMisuse, f.ReturnType.Span, $"function '{f.Name.Text}' returns '{fn.ReturnType}'");
        foreach (var p in f.Params) fn.Parameters.Add(DeclareParameter(p));
        if (kind == FunctionKind.Control)
        {
            foreach (var (p, decl) in fn.Parameters.Zip(f.Params))
                if (p.Type is not ScalarType && !p.Type.IsError)
                    diagnostics.Report(DiagnosticCatalog.ControlNotScalar, decl.Name.Span, f.Name.Text, $"parameter '{p.Name}'", p.Type);
            if (fn.ReturnType is not (ScalarType or VoidType) && !fn.ReturnType.IsError)
                diagnostics.Report(DiagnosticCatalog.ControlNotScalar, f.Name.Span, f.Name.Text, "return value", fn.ReturnType);
        }
        if (owner is null)
        {
            if (!DeclareGlobalName(f.Name, fn, "as a function")) return null;
            program.Functions.Add(fn);
        }
        functionDecls[fn] = f;
        return fn;
    }

    private VariableSymbol DeclareParameter(Param p)
    {
        var type = ResolveType(p.Type);
        if (type is VoidType) { diagnostics.Report(DiagnosticCatalog.VoidVariable, p.Name.Span, p.Name.Text); type = ErrorType.Instance; }
        if (type.ContainsLock) { diagnostics.Report(DiagnosticCatalog.LockMisuse, p.Name.Span, $"parameter '{p.Name.Text}' has type '{type}'"); type = ErrorType.Instance; }
        if (type is PointerType { ContainsHandle: true } or StructType { ContainsHandle: true })
        {
            diagnostics.Report(DiagnosticCatalog.HandleStorage, p.Name.Span, p.Name.Text, "held behind a pointer or in a struct");
            type = ErrorType.Instance;
        }
        return new VariableSymbol(p.Name.Text, p.Name.Span, type, VariableKind.Parameter, null);
    }

    private void DeclarePpfMembers(PpfSymbol ppf)
    {
        var d = ppf.Decl;
        var space = new DeclarationSpace(diagnostics, $"in PPF '{ppf.Name}'", BuiltinNames.Contains);
        bool Claim(Name n) => space.Claim(n);

        foreach (var e in d.Endpoints)
        {
            if (!Claim(e.Name)) continue;
            ppf.Endpoints.Add(new EndpointSymbol(e.Name.Text, e.Name.Span, e.IsInput, ResolveEndpointProtocol(e), ppf));
        }
        var scope = new BodyBinder(this, null) { Ppf = ppf };
        foreach (var c in d.Consts)
            if (Claim(c.Name)) ppf.Consts.Add(BindConst(c, scope));
        foreach (var v in d.State)
            if (Claim(v.Name) && DeclareGlobal(v, ppf) is { } s) ppf.State.Add(s);
        foreach (var f in d.Functions)
            if (Claim(f.Name) && DeclareFunction(f, ppf, f.IsControl ? FunctionKind.Control : FunctionKind.Helper) is { } fn)
                ppf.Functions.Add(fn);

        for (int i = 0; i < d.Inits.Length; i++)
        {
            if (i > 0) { diagnostics.Report(DiagnosticCatalog.DuplicateInit, d.Inits[i].Span, ppf.Name); continue; }
            var init = new FunctionSymbol("init", d.Inits[i].Span, FunctionKind.Init, ppf);
            ppf.Init = init;
            functionDecls[init] = new FunctionDecl(new TypeSyntax("void", 0, d.Inits[i].Span), new Name("init", d.Inits[i].Span),
                ImmutableArray<Param>.Empty, d.Inits[i].Body, false, d.Inits[i].Span);
        }

        foreach (var p in d.Processes)
        {
            var endpoint = ppf.Endpoint(p.Endpoint.Text);
            if (endpoint is null || !endpoint.IsInput)
            {
                diagnostics.Report(DiagnosticCatalog.ProcessMismatch, p.Endpoint.Span, endpoint is null
                    ? $"PPF '{ppf.Name}' has no input '{p.Endpoint.Text}'; declare 'input <protocol> {p.Endpoint.Text};' or process an existing input"
                    : $"'{p.Endpoint.Text}' is an output; process bodies belong to inputs");
                continue;
            }
            if (ppf.Processes.Any(q => q.Endpoint == endpoint))
            {
                diagnostics.Report(DiagnosticCatalog.ProcessMismatch, p.Endpoint.Span, $"input '{endpoint.Name}' already has a process body; an input has exactly one");
                continue;
            }
            var fn = new FunctionSymbol("process", p.Endpoint.Span, FunctionKind.Process, ppf) { Endpoint = endpoint };
            var param = DeclareParameter(p.Param);
            if (param.Type is HandleType h)
            {
                // The body may take the endpoint's handle type, or view it as packet* or (from a packet input) as any P*.
                bool ok = h.Protocol == endpoint.Protocol || h.Protocol is null || endpoint.Protocol is null;
                if (!ok)
                    diagnostics.Report(DiagnosticCatalog.ProcessMismatch, p.Param.Type.Span,
                        $"input '{endpoint.Name}' carries '{endpoint.ProtocolName}*' but its process body takes '{h}'");
            }
            else if (!param.Type.IsError)
                diagnostics.Report(DiagnosticCatalog.ProcessMismatch, p.Param.Type.Span,
                    $"a process body takes one packet handle ('{endpoint.ProtocolName}* {p.Param.Name.Text}'), not '{param.Type}'");
            fn.Parameters.Add(param);
            ppf.Processes.Add(fn);
            functionDecls[fn] = new FunctionDecl(new TypeSyntax("void", 0, p.Span), new Name("process", p.Endpoint.Span),
                [p.Param], p.Body, false, p.Span);
        }
        foreach (var e in ppf.Inputs.Where(e => ppf.Processes.All(p => p.Endpoint != e)))
            diagnostics.Report(DiagnosticCatalog.ProcessMismatch, e.Span, $"input '{e.Name}' of PPF '{ppf.Name}' has no process body; add 'process {e.Name}(...) {{ ... }}'");
    }

    internal ProtocolSymbol? ResolveEndpointProtocol(EndpointDecl e)
    {
        if (e.Protocol.Text == "packet") return null;
        if (LookupGlobal(e.Protocol.Text) is ProtocolSymbol p) return p;
        diagnostics.Report(DiagnosticCatalog.UnknownType, e.Protocol.Span, e.Protocol.Text + " (an endpoint carries a protocol or 'packet')");
        return null;
    }

    internal void Report(DiagnosticDescriptor d, SourceSpan span, params object[] args) => diagnostics.Report(d, span, args);
}
