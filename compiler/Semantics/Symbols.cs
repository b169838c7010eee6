using Baker.Compiler.Diagnostics;
using Baker.Compiler.Syntax;

namespace Baker.Compiler.Semantics;

// The named things of a program, as the Binder resolves them. Symbols are filled in while
// binding and read-only afterwards; identity is reference identity.

public abstract class Symbol(string name, SourceSpan span)
{
    public string Name { get; } = name;
    public SourceSpan Span { get; } = span;
    public override string ToString() => Name;
}

/// <summary>A field of a protocol header, at a bit offset counted from the header's first bit (network order).</summary>
public sealed class ProtocolField(string name, SourceSpan span, int bitOffset, int width) : Symbol(name, span)
{
    public int BitOffset { get; } = bitOffset;
    public int Width { get; } = width;
    /// <summary>The smallest unsigned scalar that holds the width.</summary>
    public ScalarType Type { get; } = ScalarType.Unsigned(width);
}

public sealed class ProtocolSymbol(string name, SourceSpan span, ProtocolDecl decl) : Symbol(name, span)
{
    public ProtocolDecl Decl { get; } = decl;
    public List<ProtocolField> Fields { get; } = new();
    public int TotalBits { get; set; }
    /// <summary>The per-packet header length in bytes, over this header's fields; null for fixed-length protocols.</summary>
    public BoundExpr? Demux { get; set; }
    /// <summary>Header length in bytes when there is no demux.</summary>
    public int? FixedLength => Demux is null ? TotalBits / 8 : null;
    public ProtocolField? Field(string name) => Fields.Find(f => f.Name == name);
}

public sealed class StructField(string name, SourceSpan span, BakerType type, int offset) : Symbol(name, span)
{
    public BakerType Type { get; } = type;
    /// <summary>Byte offset in the C-like layout (natural alignment).</summary>
    public int Offset { get; } = offset;
}

public sealed class StructSymbol(string name, SourceSpan span, StructDecl decl) : Symbol(name, span)
{
    public StructDecl Decl { get; } = decl;
    public List<StructField> Fields { get; } = new();
    public int Size { get; set; }
    public int Align { get; set; } = 1;
    public bool ContainsLock { get; set; }
    public bool ContainsHandle { get; set; }
    public StructField? Field(string name) => Fields.Find(f => f.Name == name);
}

/// <summary>A field of the merged per-packet metadata record.</summary>
public sealed class MetadataField(string name, SourceSpan span, ScalarType type, int index) : Symbol(name, span)
{
    public ScalarType Type { get; } = type;
    /// <summary>Position in the merged record (built-ins first, then declaration order).</summary>
    public int Index { get; } = index;
}

public sealed class ConstSymbol(string name, SourceSpan span, BakerType type, ulong value) : Symbol(name, span)
{
    public BakerType Type { get; } = type;
    /// <summary>The value, normalised to <see cref="Type"/> (sign-extended to 64 bits for signed types).</summary>
    public ulong Value { get; } = value;
}

public enum VariableKind { Global, State, Local, Parameter }

public sealed class VariableSymbol(string name, SourceSpan span, BakerType type, VariableKind kind, PpfSymbol? owner) : Symbol(name, span)
{
    public BakerType Type { get; } = type;
    public VariableKind Kind { get; } = kind;
    /// <summary>The PPF whose state this is (null for globals, locals and parameters).</summary>
    public PpfSymbol? Owner { get; } = owner;
    /// <summary>Initial value of a scalar global or state variable (zero when absent).</summary>
    public ulong InitialValue { get; set; }
    public bool IsStorage => Kind is VariableKind.Global or VariableKind.State;
}

public enum FunctionKind { Helper, Control, Init, Process }

public sealed class FunctionSymbol(string name, SourceSpan span, FunctionKind kind, PpfSymbol? owner) : Symbol(name, span)
{
    public FunctionKind Kind { get; } = kind;
    /// <summary>The PPF the function belongs to; null for top-level helpers.</summary>
    public PpfSymbol? Owner { get; } = owner;
    public BakerType ReturnType { get; set; } = VoidType.Instance;
    public List<VariableSymbol> Parameters { get; } = new();
    public BoundBlock? Body { get; set; }
    /// <summary>For a process body: the input endpoint it serves.</summary>
    public EndpointSymbol? Endpoint { get; set; }
    /// <summary>The function as users name it: <c>ppf.fn</c>, <c>ppf.process(in)</c>, or <c>fn</c>.</summary>
    public string QualifiedName => Owner is null ? Name : Kind switch
    {
        FunctionKind.Process => $"{Owner.Name}.process({Endpoint?.Name})",
        FunctionKind.Init => $"{Owner.Name}.init",
        _ => $"{Owner.Name}.{Name}",
    };
}

/// <summary>An endpoint of a PPF or a module. Protocol null means <c>packet</c>.</summary>
public sealed class EndpointSymbol(string name, SourceSpan span, bool isInput, ProtocolSymbol? protocol, Symbol owner) : Symbol(name, span)
{
    public bool IsInput { get; } = isInput;
    public ProtocolSymbol? Protocol { get; } = protocol;
    public Symbol Owner { get; } = owner;
    public HandleType HandleType => new(Protocol);
    public string ProtocolName => Protocol?.Name ?? "packet";
}

public sealed class PpfSymbol(string name, SourceSpan span, PpfDecl decl) : Symbol(name, span)
{
    public PpfDecl Decl { get; } = decl;
    public List<EndpointSymbol> Endpoints { get; } = new();
    public List<VariableSymbol> State { get; } = new();
    public List<ConstSymbol> Consts { get; } = new();
    public FunctionSymbol? Init { get; set; }
    public List<FunctionSymbol> Processes { get; } = new();
    /// <summary>Helpers and control functions.</summary>
    public List<FunctionSymbol> Functions { get; } = new();
    /// <summary>init, the process bodies, helpers and control functions.</summary>
    public IEnumerable<FunctionSymbol> AllFunctions => (Init is null ? [] : new[] { Init }).Concat(Processes).Concat(Functions);
    public IEnumerable<EndpointSymbol> Inputs => Endpoints.Where(e => e.IsInput);
    public IEnumerable<EndpointSymbol> Outputs => Endpoints.Where(e => !e.IsInput);
    public EndpointSymbol? Endpoint(string name) => Endpoints.Find(e => e.Name == name);
}

public sealed class InstanceSymbol(string name, SourceSpan span, InstanceDecl decl, Symbol type) : Symbol(name, span)
{
    public InstanceDecl Decl { get; } = decl;
    /// <summary>A <see cref="PpfSymbol"/> or a <see cref="ModuleSymbol"/>.</summary>
    public Symbol Type { get; } = type;
}

/// <summary>One end of a wire inside a module: an instance's endpoint, the module's own endpoint, rx or tx.</summary>
public sealed record WireEnd(InstanceSymbol? Instance, EndpointSymbol? Endpoint, bool IsRx, bool IsTx, EndpointRef Syntax)
{
    public override string ToString() => Syntax.ToString();
}

public sealed record Wire(WireEnd From, WireEnd To, WireDecl Decl);

/// <summary>A module, or the app.</summary>
public sealed class ModuleSymbol(string name, SourceSpan span, ModuleDecl decl) : Symbol(name, span)
{
    public ModuleDecl Decl { get; } = decl;
    public bool IsApp => Decl.IsApp;
    public List<EndpointSymbol> Endpoints { get; } = new();
    public List<InstanceSymbol> Instances { get; } = new();
    public List<Wire> Wires { get; } = new();
    public EndpointSymbol? Endpoint(string name) => Endpoints.Find(e => e.Name == name);
}
