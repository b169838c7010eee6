namespace Baker.Compiler.Semantics;

/// <summary>The functions with bodies, numbered 0..n-1, and the calls each makes (in source order).</summary>
public sealed class CallGraph
{
    public List<FunctionSymbol> Functions { get; }
    public Dictionary<FunctionSymbol, int> Index { get; }
    public List<List<BoundCall>> Calls { get; }

    public CallGraph(BoundProgram program)
    {
        Functions = program.AllFunctions.Where(f => f.Body is not null).ToList();
        Index = Functions.Select((f, i) => (f, i)).ToDictionary(x => x.f, x => x.i);
        var index = Index;
        Calls = Functions.Select(f => BoundTreeWalker.Descendants(f.Body!).OfType<BoundCall>()
            .Where(c => index.ContainsKey(c.Function)).ToList()).ToList();
    }

    public int Count => Functions.Count;

    /// <summary>The functions that function <paramref name="v"/> calls.</summary>
    public IEnumerable<int> Callees(int v) => Calls[v].Select(c => Index[c.Function]);
}
