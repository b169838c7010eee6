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

        BoundProgram program;
        try
        {
            program = Binder.Bind(units, diagnostics);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A crash is a compiler bug; the user gets a located message naming the pass, not a stack trace.
            var at = units.Count > 0 ? new SourceSpan(units[0].Path, 1, 1, 0, 0) : SourceSpan.None;
            diagnostics.Report(DiagnosticCatalog.InternalError, at, "bind", "the program", e.Message);
            return new FrontEndResult(null, diagnostics.Sorted());
        }
        // Ownership is checked function by function (bodies with errors are skipped inside);
        // metadata definedness needs the whole graph and every body, so only a clean program.
        bool cleanBeforeDataflow = !diagnostics.HasErrors;
        var flows = PacketOwnershipCheck.Run(program, diagnostics);
        if (cleanBeforeDataflow && program.Graph is not null)
        {
            try { MetadataDefinednessCheck.Run(program, flows, diagnostics); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                diagnostics.Report(DiagnosticCatalog.InternalError, program.App?.Span ?? SourceSpan.None, "metadata-definedness", "the app graph", e.Message);
            }
        }
        return new FrontEndResult(program, diagnostics.Sorted());
    }
}
