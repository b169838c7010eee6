using Baker.Compiler.Diagnostics;
using Baker.Compiler.Graphs;

namespace Baker.Compiler.Semantics;

/// <summary>
/// The call graph may not have cycles (frames are placed statically, there is no stack to grow).
/// Each cycle is reported once, at the first call of the cycle in the function declared first.
/// </summary>
public static class CallGraphCheck
{
    public static void Run(BoundProgram program, DiagnosticBag diagnostics)
    {
        var graph = new CallGraph(program);
        var functions = graph.Functions;
        foreach (var component in GraphAlgorithms.StronglyConnectedComponents(graph.Count, graph.Callees))
        {
            var members = component.ToHashSet();
            if (component.Count == 1 && !graph.Callees(component[0]).Contains(component[0])) continue;
            int first = component.OrderBy(v => functions[v].Span.Path, StringComparer.Ordinal).ThenBy(v => functions[v].Span.Start).First();
            var call = graph.Calls[first].First(c => members.Contains(graph.Index[c.Function]));
            diagnostics.Report(DiagnosticCatalog.Recursion, call.Span, Describe(first, graph, members));
        }
    }

    /// <summary>The shortest path around the cycle, found breadth-first: f -> g -> f.</summary>
    private static string Describe(int start, CallGraph graph, HashSet<int> members)
    {
        var previous = new Dictionary<int, int>();
        var queue = new Queue<int>([start]);
        int last = start;
        bool closed = false;
        while (queue.Count > 0 && !closed)
        {
            int v = queue.Dequeue();
            foreach (int w in graph.Callees(v).Where(members.Contains))
            {
                if (w == start) { last = v; closed = true; break; }
                if (previous.TryAdd(w, v)) queue.Enqueue(w);
            }
        }
        var path = new List<int> { start };
        for (int v = last; v != start; v = previous[v]) path.Insert(1, v);
        path.Add(start);
        return string.Join(" -> ", path.Select(i => graph.Functions[i].QualifiedName));
    }
}
