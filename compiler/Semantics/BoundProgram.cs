using Baker.Compiler.Syntax;

namespace Baker.Compiler.Semantics;

/// <summary>The whole program after semantic analysis: every symbol, every bound body, and the app's flattened graph.</summary>
public sealed class BoundProgram
{
    public required IReadOnlyList<CompilationUnit> Units { get; init; }
    public List<ProtocolSymbol> Protocols { get; } = new();
    public List<StructSymbol> Structs { get; } = new();
    /// <summary>The merged metadata record: <c>in_port</c>, <c>out_port</c>, then the declared fields.</summary>
    public List<MetadataField> Metadata { get; } = new();
    public List<ConstSymbol> Consts { get; } = new();
    public List<VariableSymbol> Globals { get; } = new();
    /// <summary>Top-level helper functions.</summary>
    public List<FunctionSymbol> Functions { get; } = new();
    public List<PpfSymbol> Ppfs { get; } = new();
    public List<ModuleSymbol> Modules { get; } = new();
    public ModuleSymbol? App { get; set; }
    public AppGraph? Graph { get; set; }

    public IEnumerable<FunctionSymbol> AllFunctions => Functions.Concat(Ppfs.SelectMany(p => p.AllFunctions));

    public MetadataField? MetadataField(string name) => Metadata.Find(f => f.Name == name);
}
