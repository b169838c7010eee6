using Baker.Compiler.Analysis;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Semantics;

namespace Baker.Compiler.Driver;

/// <summary>The result of the front end: the bound program (when the sources parsed) and every diagnostic, sorted.</summary>
public sealed record FrontEndResult(BoundProgram? Program, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>Sources → parsed files → bound program → dataflow checks. Never throws on bad input.</summary>
public static class FrontEnd
{
    public static FrontEndResult Check(IEnumerable<string> rootFiles, Func<string, string?>? readFile = null)
    {
        var diagnostics = new DiagnosticBag();
        var roots = rootFiles.ToList();
        var units = new SourceLoader(diagnostics, readFile).Load(roots);
        // Binding files with syntax errors would only add cascades: stop after the parse.
        if (diagnostics.HasErrors) return new FrontEndResult(null, diagnostics.Sorted());

        var program = Binder.Bind(units, diagnostics);
        // Ownership is checked function by function (bodies with errors are skipped inside);
        // metadata definedness needs the whole graph and every body, so only a clean program.
        bool cleanBeforeDataflow = !diagnostics.HasErrors;
        var flows = PacketOwnershipCheck.Run(program, diagnostics);
        if (cleanBeforeDataflow && program.Graph is not null)
            MetadataDefinednessCheck.Run(program, flows, diagnostics);
        return new FrontEndResult(program, diagnostics.Sorted());
    }
}
