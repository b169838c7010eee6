using System.Diagnostics;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.IR;

namespace Baker.Compiler.Driver;

public sealed record CompileOptions
{
    /// <summary>Pass names after which to keep the IR text; "all" keeps it after every pass.</summary>
    public IReadOnlySet<string> DumpAfter { get; init; } = new HashSet<string>();
    public IReadOnlySet<string> Disabled { get; init; } = new HashSet<string>();
    /// <summary>Stop after this pass (the IR is as it was then).</summary>
    public string? StopAfter { get; init; }
    /// <summary>Run the IR verifier after every pass (cheap; on by default so that a broken pass is caught where it broke).</summary>
    public bool VerifyEach { get; init; } = true;
    /// <summary>Compile trace(...) calls out (their arguments are not evaluated, as with a disabled printf macro).</summary>
    public bool NoTrace { get; init; }
}

public sealed record PassDump(int Index, string Pass, string Text);
public sealed record PassTiming(string Pass, TimeSpan Elapsed);

public sealed record CompileResult(IrModule? Module, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<PassDump> Dumps, IReadOnlyList<PassTiming> Timings)
{
    public bool HasErrors => Module is null || Diagnostics.Any(d => d.IsError);
}

/// <summary>Sources → front end → the pipeline's passes → IR. Never throws on bad input; a crash inside a pass is BK9001 naming the pass and function.</summary>
public static class Compilation
{
    /// <summary>Problems with the options (an unknown pass name, disabling a required pass); empty when fine.</summary>
    public static IReadOnlyList<string> CheckOptions(CompileOptions o)
    {
        var problems = new List<string>();
        string known = string.Join(", ", Pipeline.Passes.Select(p => p.Name));
        foreach (var name in o.DumpAfter.Where(n => n != "all" && Pipeline.Find(n) is null))
            problems.Add($"unknown pass '{name}' (passes: {known}, or 'all')");
        foreach (var name in o.Disabled)
        {
            var pass = Pipeline.Find(name);
            if (pass is null) problems.Add($"unknown pass '{name}' (passes: {known})");
            else if (pass.Required) problems.Add($"pass '{name}' is required and cannot be disabled");
        }
        if (o.StopAfter is { } stop && Pipeline.Find(stop) is null) problems.Add($"unknown pass '{stop}' (passes: {known})");
        return problems;
    }

    public static CompileResult Compile(IEnumerable<string> rootFiles, CompileOptions options, Func<string, string?>? readFile = null)
    {
        var front = FrontEnd.Check(rootFiles, readFile);
        if (front.HasErrors || front.Program is null) return new CompileResult(null, front.Diagnostics, [], []);
        var diagnostics = new List<Diagnostic>(front.Diagnostics);
        var dumps = new List<PassDump>();
        var timings = new List<PassTiming>();
        var context = new PassContext(front.Program) { NoTrace = options.NoTrace };
        var at = front.Program.App?.Span ?? SourceSpan.None;
        for (int i = 0; i < Pipeline.Passes.Count; i++)
        {
            var pass = Pipeline.Passes[i];
            if (options.Disabled.Contains(pass.Name)) continue;
            var clock = Stopwatch.StartNew();
            try
            {
                pass.Run(context);
                if (options.VerifyEach)
                {
                    var problems = IrVerifier.Verify(context.IR);
                    if (problems.Count > 0)
                    {
                        diagnostics.Add(DiagnosticCatalog.InternalError.At(at, pass.Name, "the IR it produced",
                            "the IR verifier found: " + string.Join("; ", problems.Take(5))));
                        return new CompileResult(null, diagnostics, dumps, timings);
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                diagnostics.Add(DiagnosticCatalog.InternalError.At(at, pass.Name, context.CurrentFunction ?? "the module", e.Message));
                return new CompileResult(null, diagnostics, dumps, timings);
            }
            timings.Add(new PassTiming(pass.Name, clock.Elapsed));
            if (options.DumpAfter.Contains("all") || options.DumpAfter.Contains(pass.Name))
                dumps.Add(new PassDump(i, pass.Name, IrPrinter.Print(context.IR)));
            if (options.StopAfter == pass.Name) break;
        }
        return new CompileResult(context.Module, diagnostics, dumps, timings);
    }
}
