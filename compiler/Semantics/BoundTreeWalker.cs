namespace Baker.Compiler.Semantics;

/// <summary>Enumerates the nodes of a bound subtree in evaluation (source) order.</summary>
public static class BoundTreeWalker
{
    public static IEnumerable<BoundNode> Descendants(BoundNode root)
    {
        var stack = new Stack<BoundNode>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            var children = Children(node);
            for (int i = children.Count - 1; i >= 0; i--) stack.Push(children[i]);
        }
    }

    public static IReadOnlyList<BoundNode> Children(BoundNode node)
    {
        var list = new List<BoundNode>();
        void Add(BoundNode? n) { if (n is not null) list.Add(n); }
        switch (node)
        {
            case BoundBlock b: list.AddRange(b.Statements); break;
            case BoundLocalDecl d: Add(d.Initializer); break;
            case BoundExprStmt e: Add(e.Expr); break;
            case BoundIf i: Add(i.Condition); Add(i.Then); Add(i.Else); break;
            case BoundWhile w: Add(w.Condition); Add(w.Body); break;
            case BoundDoWhile d: Add(d.Body); Add(d.Condition); break;
            case BoundFor f: list.AddRange(f.Init); Add(f.Condition); Add(f.Body); list.AddRange(f.Step); break;
            case BoundSwitch s: Add(s.Value); list.AddRange(s.Sections); break;
            case BoundSwitchSection s: list.AddRange(s.Body); break;
            case BoundReturn r: Add(r.Value); break;
            case BoundUnary u: Add(u.Operand); break;
            case BoundBinary b: Add(b.Left); Add(b.Right); break;
            case BoundConditional c: Add(c.Condition); Add(c.WhenTrue); Add(c.WhenFalse); break;
            case BoundConversion c: Add(c.Operand); break;
            case BoundAssignment a: Add(a.Target); Add(a.Value); break;
            case BoundCompoundAssignment a: Add(a.Target); Add(a.Value); break;
            case BoundIncrement i: Add(i.Target); break;
            case BoundIndex i: Add(i.Array); Add(i.Index); break;
            case BoundStructField f: Add(f.Target); break;
            case BoundDeref d: Add(d.Pointer); break;
            case BoundAddressOf a: Add(a.Operand); break;
            case BoundPacketField p: Add(p.Handle); break;
            case BoundMetaField m: Add(m.Handle); break;
            case BoundCall c: list.AddRange(c.Args); break;
            case BoundIntrinsicCall c: list.AddRange(c.Args); break;
        }
        return list;
    }
}
