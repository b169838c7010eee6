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
        var functions = program.AllFunctions.Where(f => f.Body is not null).ToList();
        var id = functions.Select((f, i) => (f, i)).ToDictionary(x => x.f, x => x.i);
        var calls = functions.Select(f => BoundTreeWalker.Descendants(f.Body!).OfType<BoundCall>()
            .Where(c => id.ContainsKey(c.Function)).ToList()).ToList();

        var components = GraphAlgorithms.StronglyConnectedComponents(functions.Count,
            v => calls[v].Select(c => id[c.Function]));
        foreach (var component in components)
        {
            var members = component.ToHashSet();
            if (component.Count == 1 && !calls[component[0]].Any(c => id[c.Function] == component[0])) continue;
            int first = component.OrderBy(v => functions[v].Span.Path, StringComparer.Ordinal).ThenBy(v => functions[v].Span.Start).First();
            var call = calls[first].First(c => members.Contains(id[c.Function]));
            diagnostics.Report(DiagnosticCatalog.Recursion, call.Span, Describe(first, functions, calls, members));
        }
    }

    /// <summary>The shortest path around the cycle, found breadth-first: f -> g -> f.</summary>
    private static string Describe(int start, List<FunctionSymbol> functions, List<List<BoundCall>> calls, HashSet<int> members)
    {
        var index = functions.Select((f, i) => (f, i)).ToDictionary(x => x.f, x => x.i);
        var previous = new Dictionary<int, int>();
        var queue = new Queue<int>([start]);
        int last = start;
        bool closed = false;
        while (queue.Count > 0 && !closed)
        {
            int v = queue.Dequeue();
            foreach (int w in calls[v].Select(c => index[c.Function]).Where(members.Contains))
            {
                if (w == start) { last = v; closed = true; break; }
                if (previous.TryAdd(w, v)) queue.Enqueue(w);
            }
        }
        var path = new List<int> { start };
        for (int v = last; v != start; v = previous[v]) path.Insert(1, v);
        path.Add(start);
        return string.Join(" -> ", path.Select(i => functions[i].QualifiedName));
    }
}
