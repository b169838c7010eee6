using Baker.Compiler.Graphs;

namespace Baker.Tests.Graphs;

public class GraphAlgorithmsTests
{
    private static Func<int, IEnumerable<int>> Edges(int n, params (int From, int To)[] edges)
    {
        var succ = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        foreach (var (a, b) in edges) succ[a].Add(b);
        return v => succ[v];
    }

    [Fact]
    public void SccGroupsCyclesAndListsComponentsInReverseTopologicalOrder()
    {
        // 0 -> 1 -> 2 -> 0 (a cycle), 2 -> 3, 3 -> 4 -> 3 (another), 5 alone.
        var sccs = GraphAlgorithms.StronglyConnectedComponents(6, Edges(6, (0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 3)));
        Assert.Equal(3, sccs.Count(c => c.Count >= 1 && c.Count <= 3));
        Assert.Contains(sccs, c => c.SequenceEqual([0, 1, 2]));
        Assert.Contains(sccs, c => c.SequenceEqual([3, 4]));
        Assert.Contains(sccs, c => c.SequenceEqual([5]));
        // {3,4} is reached from {0,1,2}, so it is completed (listed) first.
        Assert.True(sccs.FindIndex(c => c.Contains(3)) < sccs.FindIndex(c => c.Contains(0)));
    }

    [Fact]
    public void SccHandlesDeepChainsWithoutRecursion()
    {
        const int n = 200_000;
        var sccs = GraphAlgorithms.StronglyConnectedComponents(n, v => v + 1 < n ? [v + 1] : []);
        Assert.Equal(n, sccs.Count);
    }

    [Fact]
    public void TopologicalOrderPutsEveryEdgeForwardAndDetectsCycles()
    {
        var order = GraphAlgorithms.TopologicalOrder(5, Edges(5, (3, 1), (1, 0), (4, 0), (2, 4)));
        Assert.NotNull(order);
        var pos = order!.Select((v, i) => (v, i)).ToDictionary(x => x.v, x => x.i);
        foreach (var (a, b) in new[] { (3, 1), (1, 0), (4, 0), (2, 4) }) Assert.True(pos[a] < pos[b]);
        Assert.Null(GraphAlgorithms.TopologicalOrder(3, Edges(3, (0, 1), (1, 2), (2, 1))));
    }

    [Fact]
    public void ReachableFollowsEdgesFromRoots()
    {
        var seen = GraphAlgorithms.Reachable(5, [0], Edges(5, (0, 1), (1, 2), (3, 4)));
        Assert.Equal([true, true, true, false, false], seen);
    }

    [Fact]
    public void DominatorsOfADiamondWithALoop()
    {
        // 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 3 -> 4, 4 -> 3 (loop), 5 unreachable.
        var idom = GraphAlgorithms.ImmediateDominators(6, 0, Edges(6, (0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (4, 3)));
        Assert.Equal([-1, 0, 0, 0, 3, -1], idom);
    }
}
