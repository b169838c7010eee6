namespace Baker.Compiler.Graphs;

/// <summary>
/// The graph algorithms the compiler needs, over nodes 0..n-1 with successor lists: strongly
/// connected components, topological order, reachability and dominators. Written here because
/// no graph library is available from our package source; small and tested on their own.
/// </summary>
public static class GraphAlgorithms
{
    /// <summary>Tarjan's SCCs, iteratively (no recursion: graphs of generated code can be deep). Components come in reverse topological order.</summary>
    public static List<List<int>> StronglyConnectedComponents(int n, Func<int, IEnumerable<int>> successors)
    {
        var index = new int[n];
        var low = new int[n];
        var onStack = new bool[n];
        Array.Fill(index, -1);
        var stack = new Stack<int>();
        var result = new List<List<int>>();
        int next = 0;
        var work = new Stack<(int Node, IEnumerator<int> Succ)>();
        for (int root = 0; root < n; root++)
        {
            if (index[root] >= 0) continue;
            Visit(root);
            while (work.Count > 0)
            {
                var (v, succ) = work.Peek();
                if (succ.MoveNext())
                {
                    int w = succ.Current;
                    if (index[w] < 0) Visit(w);
                    else if (onStack[w]) low[v] = Math.Min(low[v], index[w]);
                    continue;
                }
                work.Pop();
                if (work.Count > 0) low[work.Peek().Node] = Math.Min(low[work.Peek().Node], low[v]);
                if (low[v] != index[v]) continue;
                var component = new List<int>();
                int x;
                do { x = stack.Pop(); onStack[x] = false; component.Add(x); } while (x != v);
                component.Sort();
                result.Add(component);
            }
        }
        return result;

        void Visit(int v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack[v] = true;
            work.Push((v, successors(v).GetEnumerator()));
        }
    }

    /// <summary>A topological order (every edge goes forward), or null when the graph has a cycle.</summary>
    public static List<int>? TopologicalOrder(int n, Func<int, IEnumerable<int>> successors)
    {
        var indegree = new int[n];
        for (int v = 0; v < n; v++) foreach (int w in successors(v)) indegree[w]++;
        var ready = new Queue<int>(Enumerable.Range(0, n).Where(v => indegree[v] == 0));
        var order = new List<int>(n);
        while (ready.Count > 0)
        {
            int v = ready.Dequeue();
            order.Add(v);
            foreach (int w in successors(v)) if (--indegree[w] == 0) ready.Enqueue(w);
        }
        return order.Count == n ? order : null;
    }

    /// <summary>The nodes reachable from <paramref name="roots"/> (the roots included).</summary>
    public static bool[] Reachable(int n, IEnumerable<int> roots, Func<int, IEnumerable<int>> successors)
    {
        var seen = new bool[n];
        var stack = new Stack<int>();
        foreach (int r in roots) if (!seen[r]) { seen[r] = true; stack.Push(r); }
        while (stack.Count > 0)
            foreach (int w in successors(stack.Pop()))
                if (!seen[w]) { seen[w] = true; stack.Push(w); }
        return seen;
    }

    /// <summary>
    /// Immediate dominators from <paramref name="entry"/> (Cooper, Harvey and Kennedy's iterative
    /// algorithm); -1 for the entry and for unreachable nodes.
    /// </summary>
    public static int[] ImmediateDominators(int n, int entry, Func<int, IEnumerable<int>> successors)
    {
        // Reverse postorder from the entry.
        var order = new List<int>();
        var visited = new bool[n];
        var stack = new Stack<(int Node, IEnumerator<int> Succ)>();
        visited[entry] = true;
        stack.Push((entry, successors(entry).GetEnumerator()));
        while (stack.Count > 0)
        {
            var (v, succ) = stack.Peek();
            if (succ.MoveNext())
            {
                int w = succ.Current;
                if (!visited[w]) { visited[w] = true; stack.Push((w, successors(w).GetEnumerator())); }
                continue;
            }
            stack.Pop();
            order.Add(v);
        }
        order.Reverse();
        var rpo = new int[n];
        Array.Fill(rpo, -1);
        for (int i = 0; i < order.Count; i++) rpo[order[i]] = i;

        var preds = new List<int>[n];
        for (int v = 0; v < n; v++) preds[v] = new List<int>();
        foreach (int v in order) foreach (int w in successors(v)) preds[w].Add(v);

        var idom = new int[n];
        Array.Fill(idom, -1);
        idom[entry] = entry;
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (int b in order)
            {
                if (b == entry) continue;
                int newIdom = -1;
                foreach (int p in preds[b])
                {
                    if (idom[p] < 0) continue;
                    newIdom = newIdom < 0 ? p : Intersect(p, newIdom);
                }
                if (newIdom >= 0 && idom[b] != newIdom) { idom[b] = newIdom; changed = true; }
            }
        }
        idom[entry] = -1;
        return idom;

        int Intersect(int a, int b)
        {
            while (a != b)
            {
                while (rpo[a] > rpo[b]) a = idom[a];
                while (rpo[b] > rpo[a]) b = idom[b];
            }
            return a;
        }
    }
}
