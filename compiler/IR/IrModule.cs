namespace Baker.Compiler.IR;

// The IR of one app: metadata layout, storage objects, functions, PPF instances and channels.
// Functions are per PPF instance (a PPF's state is per instance, so its functions are cloned per
// instance and name their state objects directly); top-level helpers appear once. The IR knows
// nothing of the AST: it carries plain source locations.

/// <summary>A source position carried by an instruction (1-based line and column).</summary>
public sealed record SourceLocation(string File, int Line, int Column);

public sealed record IrMetaField(string Name, IrType Type, int Index)
{
    /// <summary>Where the field is declared (the Baker source after lowering, the IR text when parsed; not printed), for back-end diagnostics.</summary>
    public SourceLocation? Location { get; init; }
}

public enum StorageKind { Global, State, Slot }

/// <summary>
/// A named piece of memory: a global (<c>@name</c>), the state of a PPF instance (<c>@path.name</c>), or a
/// frame slot of a function (<c>$name</c>, a local aggregate). <see cref="TypeText"/> is the source type, for readers.
/// </summary>
public sealed class StorageObject(string name, StorageKind kind, string typeText, int size, int align)
{
    public string Name { get; } = name;
    public StorageKind Kind { get; } = kind;
    public string TypeText { get; } = typeText;
    public int Size { get; } = size;
    public int Align { get; } = align;
    /// <summary>For a scalar global or state variable with an initialiser: its type and value (else Void).</summary>
    public IrType InitType { get; init; } = IrType.Void;
    public ulong InitValue { get; init; }
    /// <summary>The PPF instance a state object belongs to.</summary>
    public string? Owner { get; init; }
    public string Sigil => Kind == StorageKind.Slot ? "$" : "@";
    public override string ToString() => Sigil + Name;
}

public sealed class Instruction(Op op, Register? dest, Operand[] operands, SourceLocation? location = null)
{
    public Op Op { get; set; } = op;
    public Register? Dest { get; set; } = dest;
    public Operand[] Operands { get; set; } = operands;
    public SourceLocation? Location { get; set; } = location;
    public OpInfo Info => Op.Info();

    public Value V(int i) => (Value)Operands[i];
    public IEnumerable<Block> Successors => Operands.OfType<BlockRef>().Select(b => b.Target);
}

public sealed class Block
{
    public List<Instruction> Instructions { get; } = new();
    public Instruction? Terminator => Instructions.Count > 0 && Instructions[^1].Info.IsTerminator ? Instructions[^1] : null;
    public IEnumerable<Block> Successors => Terminator?.Successors ?? [];
}

public enum FunctionKind { Helper, Init, Process, Control }

public sealed class IrFunction(string name, FunctionKind kind, IrType returnType)
{
    public string Name { get; } = name;
    public FunctionKind Kind { get; } = kind;
    public IrType ReturnType { get; } = returnType;
    public List<Register> Params { get; } = new();
    /// <summary>Local aggregates (arrays and structs), addressed as <c>$name</c>.</summary>
    public List<StorageObject> Slots { get; } = new();
    /// <summary>The entry block is the first.</summary>
    public List<Block> Blocks { get; } = new();
    /// <summary>The PPF instance this function belongs to (null for top-level helpers).</summary>
    public string? Instance { get; init; }
    /// <summary>For a process function: the input endpoint it serves.</summary>
    public string? Endpoint { get; init; }
    public SourceLocation? Location { get; init; }
    public override string ToString() => "@" + Name;
}

public sealed class IrEndpoint(string name, bool isInput, string protocol)
{
    public string Name { get; } = name;
    public bool IsInput { get; } = isInput;
    /// <summary>The handle protocol, or <c>packet</c>.</summary>
    public string Protocol { get; } = protocol;
    /// <summary>For an input: the process function.</summary>
    public IrFunction? Process { get; set; }
}

public sealed class IrInstance(string path, string ppf)
{
    public string Path { get; } = path;
    /// <summary>The PPF type this is an instance of.</summary>
    public string Ppf { get; } = ppf;
    public List<IrEndpoint> Endpoints { get; } = new();
    public IrFunction? Init { get; set; }
    public List<IrFunction> Controls { get; } = new();
    public IrEndpoint? Endpoint(string name) => Endpoints.Find(e => e.Name == name);
}

/// <summary>A channel end: an instance endpoint, or the built-in driver (rx as a source, tx as a target) when Instance is null.</summary>
public sealed record IrChannelEnd(string? Instance, string? Endpoint)
{
    public bool IsDriver => Instance is null;
    public string Describe(bool source) => Instance is null ? (source ? "rx" : "tx") : $"{Instance}.{Endpoint}";
}

public sealed record IrChannel(int Id, IrChannelEnd From, IrChannelEnd To)
{
    public override string ToString() => $"{From.Describe(true)} -> {To.Describe(false)}";
}

public sealed class IrModule(string app)
{
    public string App { get; } = app;
    /// <summary>Where the app is declared (the Baker source after lowering, the IR text when parsed; not printed): where app-wide back-end problems are reported.</summary>
    public SourceLocation? Location { get; init; }
    public List<IrMetaField> Metadata { get; } = new();
    /// <summary>Globals and PPF-instance state.</summary>
    public List<StorageObject> Objects { get; } = new();
    public List<IrFunction> Functions { get; } = new();
    public List<IrInstance> Instances { get; } = new();
    public List<IrChannel> Channels { get; } = new();

    public IrInstance? Instance(string path) => Instances.Find(i => i.Path == path);
    public IrFunction? Function(string name) => Functions.Find(f => f.Name == name);
}
