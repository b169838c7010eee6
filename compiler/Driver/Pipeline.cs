using Baker.Compiler.IR;
using Baker.Compiler.Lowering;
using Baker.Compiler.Passes;
using Baker.Compiler.Semantics;

namespace Baker.Compiler.Driver;

/// <summary>What a pass sees: the checked program, the IR once lowered, and the function being worked on (for crash reports).</summary>
public sealed class PassContext(BoundProgram program)
{
    public BoundProgram Program { get; } = program;
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
        new("simplify-cfg", "bypass jump-only blocks, merge straight-line blocks, drop unreachable ones", false,
            PerFunction(SimplifyCfg.Run)),
    ];

    /// <summary>Ordering constraints: (before, after, why). <see cref="CheckOrder"/> fails if the table breaks one.</summary>
    public static readonly IReadOnlyList<(string Before, string After, string Why)> Order =
    [
        ("lower", "simplify-cfg", "simplify-cfg rewrites the IR that lower produces"),
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
