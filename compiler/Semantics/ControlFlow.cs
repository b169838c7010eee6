namespace Baker.Compiler.Semantics;

/// <summary>Structured reachability on the bound tree (there is no goto): can a statement finish and fall through?</summary>
public static class ControlFlow
{
    public static bool CanCompleteNormally(BoundStmt s) => s switch
    {
        BoundBlock b => b.Statements.All(CanCompleteNormally),
        BoundIf i => i.Else is null || CanCompleteNormally(i.Then) || CanCompleteNormally(i.Else),
        BoundWhile w => !IsTrue(w.Condition) || Breaks(w.Body),
        BoundDoWhile d => !IsTrue(d.Condition) && (CanCompleteNormally(d.Body) || Continues(d.Body)) || Breaks(d.Body),
        BoundFor f => f.Condition is not null && !IsTrue(f.Condition) || Breaks(f.Body),
        BoundSwitch sw => !sw.Sections.Any(x => x.IsDefault) || sw.Sections.Any(x => x.Body.Any(Breaks))
                          || sw.Sections.Length > 0 && sw.Sections[^1].Body.All(CanCompleteNormally),
        BoundReturn or BoundBreak or BoundContinue => false,
        _ => true,
    };

    private static bool IsTrue(BoundExpr e) => e is BoundLiteral { Value: not 0 };

    /// <summary>Whether a break in <paramref name="s"/> leaves the loop or switch that directly encloses it.</summary>
    private static bool Breaks(BoundStmt s) => s switch
    {
        BoundBreak => true,
        BoundBlock b => b.Statements.Any(Breaks),
        BoundIf i => Breaks(i.Then) || i.Else is not null && Breaks(i.Else),
        _ => false,   // loops and switches own the breaks inside them
    };

    private static bool Continues(BoundStmt s) => s switch
    {
        BoundContinue => true,
        BoundBlock b => b.Statements.Any(Continues),
        BoundIf i => Continues(i.Then) || i.Else is not null && Continues(i.Else),
        BoundSwitch sw => sw.Sections.Any(x => x.Body.Any(Continues)),
        _ => false,
    };
}
