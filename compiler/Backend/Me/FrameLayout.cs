namespace Baker.Compiler.Backend.Me;

/// <summary>
/// Static frame placement. Baker has no recursion, so every function's frame gets a fixed place in the
/// context's local-memory stack: just above the deepest frame of any function that calls it. Frames of
/// functions never active together share words. Each context owns <see cref="WordsPerContext"/> words
/// of local memory from <c>context × WordsPerContext × 4</c> (the thread sets b14 to that base once).
/// Slot frames (in SRAM: arguments past the eighth word, local aggregates, spills past the 16 local-memory
/// words) are placed the same way in the context's slot stack; a caller writes its callee's arguments into the
/// callee's slot frame, which lies above every frame active in the caller.
/// Returns the local-memory stack depth in words and the slot stack depth in bytes.
/// </summary>
public static class FrameLayout
{
    public const int WordsPerContext = 48;

    public static (int Words, int SlotBytes) Run(IReadOnlyList<MFunction> functions) =>
        (Place(functions, f => f.FrameWords, (f, o) => f.FrameOffset = o),
         Place(functions, f => f.SlotBytes, (f, o) => f.SlotOffset = o));

    private static int Place(IReadOnlyList<MFunction> functions, Func<MFunction, int> size, Action<MFunction, int> setOffset)
    {
        var byName = functions.ToDictionary(f => f.Name);
        var callers = functions.ToDictionary(f => f, _ => new List<MFunction>());
        foreach (var f in functions)
            foreach (var i in f.Blocks.SelectMany(b => b.Instrs))
                if (i.Callee is { } c && byName.TryGetValue(c.Name, out var callee) && !callers[callee].Contains(f))
                    callers[callee].Add(f);
        var offsets = new Dictionary<MFunction, int>();
        int Offset(MFunction f)
        {
            if (offsets.TryGetValue(f, out var o)) return o;
            o = callers[f].Count == 0 ? 0 : callers[f].Max(c => Offset(c) + size(c));
            offsets[f] = o;
            setOffset(f, o);
            return o;
        }
        var depth = 0;
        foreach (var f in functions) depth = Math.Max(depth, Offset(f) + size(f));
        return depth;
    }
}
