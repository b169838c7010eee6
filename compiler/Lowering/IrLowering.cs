using Baker.Compiler.Diagnostics;
using Baker.Compiler.IR;
using Baker.Compiler.Semantics;
using IrFunctionKind = Baker.Compiler.IR.FunctionKind;
using SemFunctionKind = Baker.Compiler.Semantics.FunctionKind;

namespace Baker.Compiler.Lowering;

/// <summary>
/// Lowers a checked program to the IR of its app. Each PPF instance gets its own copy of its PPF's
/// functions (state is per instance, so the copies name their state objects directly); top-level
/// helpers are lowered once. PPFs the app does not instantiate produce nothing.
/// </summary>
public static class IrLowering
{
    public static IrModule Lower(BoundProgram program, bool noTrace = false)
    {
        var graph = program.Graph ?? throw new InvalidOperationException("the program has no app to lower");
        var module = new IrModule(program.App!.Name) { Location = Locate(program.App.Span) };
        var context = new LoweringContext(program, module) { NoTrace = noTrace };

        foreach (var f in program.Metadata)
            module.Metadata.Add(new IrMetaField(f.Name, ToIr(f.Type), f.Index) { Location = f.Span == SourceSpan.None ? null : Locate(f.Span) });
        foreach (var g in program.Globals)
            module.Objects.Add(context.Globals[g] = MakeObject(g, g.Name, StorageKind.Global, null));

        // Declare every function first: bodies call each other in any order.
        foreach (var f in program.Functions) context.Declare(f, null, f.Name);
        var perInstance = new List<(FunctionSymbol, PpfInstance)>();
        foreach (var inst in graph.Instances)
        {
            var irInst = new IrInstance(inst.Path, inst.Ppf.Name);
            module.Instances.Add(irInst);
            foreach (var s in inst.Ppf.State)
            {
                var obj = MakeObject(s, $"{inst.Path}.{s.Name}", StorageKind.State, inst.Path);
                module.Objects.Add(obj);
                context.State[(inst, s)] = obj;
            }
            foreach (var e in inst.Ppf.Endpoints)
                irInst.Endpoints.Add(new IrEndpoint(e.Name, e.IsInput, e.ProtocolName));
            foreach (var f in inst.Ppf.AllFunctions)
            {
                string name = f.Kind switch
                {
                    SemFunctionKind.Init => $"{inst.Path}.init",
                    SemFunctionKind.Process => $"{inst.Path}.process.{f.Endpoint!.Name}",
                    _ => $"{inst.Path}.{f.Name}",
                };
                var ir = context.Declare(f, inst, name);
                perInstance.Add((f, inst));
                switch (f.Kind)
                {
                    case SemFunctionKind.Init: irInst.Init = ir; break;
                    case SemFunctionKind.Process: irInst.Endpoint(f.Endpoint!.Name)!.Process = ir; break;
                    case SemFunctionKind.Control: irInst.Controls.Add(ir); break;
                }
            }
        }
        foreach (var c in graph.Channels)
            module.Channels.Add(new IrChannel(c.Id, End(c.From), End(c.To)));

        foreach (var f in program.Functions) new FunctionLowering(context, f, null).Lower();
        foreach (var (f, inst) in perInstance) new FunctionLowering(context, f, inst).Lower();
        return module;
    }

    private static SourceLocation Locate(SourceSpan s) => new(s.Path, s.Line, s.Column);

    private static IrChannelEnd End(ChannelEnd e) => new(e.Instance?.Path, e.Endpoint?.Name);

    private static StorageObject MakeObject(VariableSymbol v, string name, StorageKind kind, string? owner)
    {
        var (size, align) = Binder.SizeOf(v.Type);
        bool scalarInit = v.Type is ScalarType && v.InitialValue != 0;
        return new StorageObject(name, kind, v.Type.ToString(), size, align)
        {
            Owner = owner,
            InitType = scalarInit ? ToIr(v.Type) : IrType.Void,
            InitValue = scalarInit ? ToIr(v.Type).Normalize(v.InitialValue) : 0,
        };
    }

    /// <summary>The IR type of a value of a Baker type held in a register (aggregates are never held in registers).</summary>
    public static IrType ToIr(BakerType t) => t switch
    {
        ScalarType s => s.Kind switch
        {
            ScalarKind.Bool => IrType.Bool,
            ScalarKind.U8 => IrType.U8,
            ScalarKind.U16 => IrType.U16,
            ScalarKind.U32 => IrType.U32,
            ScalarKind.U64 => IrType.U64,
            ScalarKind.I8 => IrType.I8,
            ScalarKind.I16 => IrType.I16,
            ScalarKind.I32 => IrType.I32,
            _ => IrType.I64,
        },
        PointerType => IrType.Ptr,
        HandleType => IrType.Pkt,
        VoidType => IrType.Void,
        _ => throw new InvalidOperationException($"a '{t}' value is not held in a register"),
    };

    public static bool IsAggregate(BakerType t) => t is StructType or ArrayType;
}

/// <summary>What every function's lowering shares: the module, and the maps from symbols to IR objects and functions.</summary>
internal sealed class LoweringContext(BoundProgram program, IrModule module)
{
    public BoundProgram Program { get; } = program;
    public IrModule Module { get; } = module;
    public bool NoTrace { get; init; }
    public Dictionary<VariableSymbol, StorageObject> Globals { get; } = new();
    public Dictionary<(PpfInstance, VariableSymbol), StorageObject> State { get; } = new();
    public Dictionary<(FunctionSymbol, PpfInstance?), IrFunction> Functions { get; } = new();

    public IrFunction Declare(FunctionSymbol f, PpfInstance? inst, string name)
    {
        var kind = f.Kind switch
        {
            SemFunctionKind.Init => IrFunctionKind.Init,
            SemFunctionKind.Process => IrFunctionKind.Process,
            SemFunctionKind.Control => IrFunctionKind.Control,
            _ => IrFunctionKind.Helper,
        };
        // An aggregate result goes through a hidden first parameter: a pointer to the caller's slot.
        bool sret = IrLowering.IsAggregate(f.ReturnType);
        var ir = new IrFunction(name, kind, sret ? IrType.Void : IrLowering.ToIr(f.ReturnType))
        {
            Instance = inst?.Path,
            Endpoint = f.Endpoint?.Name,
            Location = new SourceLocation(f.Span.Path, f.Span.Line, f.Span.Column),
        };
        if (sret) ir.Params.Add(new Register(IrType.Ptr, "result"));
        // Aggregate parameters arrive as pointers to a copy the caller made.
        foreach (var p in f.Parameters)
            ir.Params.Add(new Register(IrLowering.IsAggregate(p.Type) ? IrType.Ptr : IrLowering.ToIr(p.Type), p.Name));
        Module.Functions.Add(ir);
        Functions[(f, f.Owner is null ? null : inst)] = ir;
        return ir;
    }

    public IrFunction Callee(FunctionSymbol f, PpfInstance? caller) => Functions[(f, f.Owner is null ? null : caller)];
}
