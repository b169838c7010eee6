using Baker.Compiler.Diagnostics;
using Baker.Compiler.Graphs;
using Baker.Compiler.Semantics;

namespace Baker.Compiler.Analysis;

/// <summary>
/// Runs the packet dataflow over every function, callees before callers (so that each call sees
/// its callee's summary: does it return a fresh packet or a view of a parameter, which metadata
/// fields does it write or read). Functions whose bodies had errors are skipped: their bound
/// trees are incomplete and would only add cascades.
/// </summary>
public static class PacketOwnershipCheck
{
    public static IReadOnlyDictionary<FunctionSymbol, PacketFlowAnalysis> Run(BoundProgram program, DiagnosticBag diagnostics)
    {
        var graph = new CallGraph(program);
        var functions = graph.Functions;
        // Edges callee → caller give callees first.
        var callers = functions.Select(_ => new List<int>()).ToList();
        for (int v = 0; v < functions.Count; v++) foreach (int w in graph.Callees(v).Distinct()) callers[w].Add(v);
        var order = GraphAlgorithms.TopologicalOrder(functions.Count, v => callers[v]);
        if (order is null) return new Dictionary<FunctionSymbol, PacketFlowAnalysis>();   // recursion: already an error

        var summaries = new Dictionary<FunctionSymbol, FunctionSummary>();
        var results = new Dictionary<FunctionSymbol, PacketFlowAnalysis>();
        foreach (int v in order)
        {
            var fn = functions[v];
            if (BoundTreeWalker.Descendants(fn.Body!).Any(n => n is BoundError)) continue;
            try
            {
                var analysis = PacketFlowAnalysis.Analyze(fn, program, summaries, diagnostics);
                summaries[fn] = analysis.Summary;
                results[fn] = analysis;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                diagnostics.Report(DiagnosticCatalog.InternalError, fn.Span, "packet-flow", $"function '{fn.QualifiedName}'", e.Message);
            }
        }
        return results;
    }
}
