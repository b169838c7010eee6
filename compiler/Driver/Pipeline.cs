using Baker.Compiler.IR;
using Baker.Compiler.Lowering;
using Baker.Compiler.Passes;
using Baker.Compiler.Semantics;

namespace Baker.Compiler.Driver;

/// <summary>What a pass sees: the checked program, the IR once lowered, and the function being worked on (for crash reports).</summary>
public sealed class PassContext(BoundProgram? program)
{
    /// <summary>A context for the passes after 'lower' on IR that was parsed rather than lowered (IR file tests).</summary>
    public PassContext(IrModule module) : this((BoundProgram?)null) => Module = module;

    public BoundProgram Program => program ?? throw new InvalidOperationException("this pass needs the checked program, and the IR was given as text");
    public IrModule? Module { get; set; }
    public string? CurrentFunction { get; set; }
    public bool NoTrace { get; init; }
    public IrModule IR => Module ?? throw new InvalidOperationException("the IR does not exist before 'lower'");
}

/// <summary>One row of the pipeline. The name is the only key: --dump-after, --disable, --time-passes and dump file names use it.</summary>
public sealed record PassEntry(string Name, string Description, bool Required, Action<PassContext> Run);

/// <summary>The compiler's passes, in order, in one table (Go's ssa/compile.go keeps its passes the same way).</summary>
public static class Pipeline
{
    public static readonly IReadOnlyList<PassEntry> Passes =
    [
        new("lower", "lower the checked program to IR: one function per PPF instance, packet operations as ops", true,
            c => c.Module = IrLowering.Lower(c.Program, c.NoTrace)),
        new("simplify-cfg", "bypass jump-only blocks, thread branches on decided conditions, merge straight-line blocks, drop unreachable ones", false,
            PerFunction(SimplifyCfg.Run)),
        new("const-fold", "propagate constants, fold pure ops on them, narrow widened compares, decide constant branches", false,
            PerFunction(ConstantFolding.Run)),
        new("value-numbering", "compute each pure value once per path: a recomputation becomes a copy, a repeated bounds check goes", false,
            PerFunction(ValueNumbering.Run)),
        new("copy-prop", "read the original instead of a copy; compute a temporary straight into the register it is copied to", false,
            PerFunction(CopyPropagation.Run)),
        new("dce", "remove pure instructions whose results are never read", false,
            PerFunction(DeadCodeElimination.Run)),
        new("late-simplify-cfg", "simplify-cfg again, for the branches const-fold decided and the blocks dce emptied", false,
            PerFunction(SimplifyCfg.Run)),
        new("eq-branches", "a branch on x == K or x != K becomes a switch on x, chains of them one switch", false,
            PerFunction(EqualityBranches.Run)),
    ];

    /// <summary>Ordering constraints: (before, after, why). <see cref="CheckOrder"/> fails if the table breaks one.</summary>
    public static readonly IReadOnlyList<(string Before, string After, string Why)> Order =
    [
        ("lower", "simplify-cfg", "simplify-cfg rewrites the IR that lower produces"),
        ("simplify-cfg", "value-numbering", "value-numbering carries values along straight-line code only where blocks are merged or have one predecessor"),
        ("const-fold", "value-numbering", "const-fold narrows compares and folds constants, so equal expressions look equal"),
        ("value-numbering", "copy-prop", "value-numbering turns recomputations into copies, which copy-prop forwards"),
        ("copy-prop", "dce", "the copies copy-prop bypasses and the temporaries it coalesces are dead only after it"),
        ("const-fold", "dce", "the constants const-fold propagates leave their movs unread"),
        ("const-fold", "late-simplify-cfg", "const-fold turns constant branches into jumps and leaves blocks unreachable"),
        ("dce", "late-simplify-cfg", "dce leaves blocks that only jump"),
        ("late-simplify-cfg", "eq-branches", "simplify-cfg threads branches on decided conditions, which it cannot once they are switches"),
        ("dce", "eq-branches", "eq-branches turns a compare into a switch only when the branch is its last reader"),
    ];

    public static PassEntry? Find(string name) => Passes.FirstOrDefault(p => p.Name == name);

    /// <summary>Problems with the table itself (duplicate names, a broken ordering constraint); empty when it is sound.</summary>
    public static IReadOnlyList<string> CheckOrder()
    {
        var problems = new List<string>();
        var index = new Dictionary<string, int>();
        for (int i = 0; i < Passes.Count; i++)
            if (!index.TryAdd(Passes[i].Name, i)) problems.Add($"pass '{Passes[i].Name}' is listed twice");
        foreach (var (before, after, why) in Order)
        {
            if (!index.TryGetValue(before, out var a) || !index.TryGetValue(after, out var b))
                problems.Add($"ordering constraint names an unknown pass: {before} before {after}");
            else if (a >= b) problems.Add($"'{before}' must run before '{after}': {why}");
        }
        return problems;
    }

    /// <summary>
    /// Runs the named passes, in the table's order, on IR that was parsed (not lowered), verifying after each: the IR
    /// file tests run one pass this way. Throws <see cref="IrVerifyException"/> naming the pass that broke the IR.
    /// </summary>
    public static void RunOn(IrModule module, IEnumerable<string> names)
    {
        var wanted = names.ToHashSet();
        foreach (var name in wanted)
            if (Find(name) is null || name == "lower") throw new ArgumentException($"'{name}' is not a pass that runs on IR text");
        var context = new PassContext(module);
        foreach (var pass in Passes.Where(p => wanted.Contains(p.Name)))
        {
            pass.Run(context);
            IrVerifier.VerifyOrThrow(module, pass.Name);
        }
    }

    /// <summary>The optional passes after 'lower' (what <see cref="RunOn"/> runs for the whole optimising pipeline).</summary>
    public static IEnumerable<string> AfterLowering => Passes.Skip(1).Select(p => p.Name);

    private static Action<PassContext> PerFunction(Action<IrFunction> run) => c =>
    {
        foreach (var f in c.IR.Functions)
        {
            c.CurrentFunction = "@" + f.Name;
            run(f);
        }
        c.CurrentFunction = null;
    };
}
