namespace Baker.Compiler.Backend.Me;

/// <summary>
/// Static frame placement. Baker has no recursion, so every function's frame gets a fixed place in the
/// context's local-memory stack: just above the deepest frame of any function that calls it. Frames of
/// functions never active together share words. Each context owns <see cref="WordsPerContext"/> words
/// of local memory from <c>context × WordsPerContext × 4</c> (the thread sets b14 to that base once).
/// Returns the stack depth in words.
/// </summary>
public static class FrameLayout
{
    public const int WordsPerContext = 48;

    public static int Run(IReadOnlyList<MFunction> functions)
    {
        var byName = functions.ToDictionary(f => f.Name);
        var callers = functions.ToDictionary(f => f, _ => new List<MFunction>());
        foreach (var f in functions)
            foreach (var i in f.Blocks.SelectMany(b => b.Instrs))
                if (i.Callee is { } c && byName.TryGetValue(c.Name, out var callee) && !callers[callee].Contains(f))
                    callers[callee].Add(f);
        var done = new HashSet<MFunction>();
        int Place(MFunction f)
        {
            if (done.Contains(f)) return f.FrameOffset;
            f.FrameOffset = callers[f].Count == 0 ? 0 : callers[f].Max(c => Place(c) + c.FrameWords);
            done.Add(f);
            return f.FrameOffset;
        }
        var depth = 0;
        foreach (var f in functions) depth = Math.Max(depth, Place(f) + f.FrameWords);
        return depth;
    }
}
