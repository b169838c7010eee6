using System.Collections.Immutable;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Semantics;

namespace Baker.Compiler.Analysis;

public sealed partial class PacketFlowAnalysis
{
    /// <summary>
    /// Evaluates an expression for its effects on packets; for a handle-typed expression returns
    /// the set of sites it may stand for. Every evaluation of a handle is a use, except as the
    /// packet argument of channel_put / packet_drop, which release it.
    /// </summary>
    private ulong Eval(BoundExpr e, State st, bool releasing = false)
    {
        switch (e)
        {
            case BoundVariable v when v.Type is HandleType:
            {
                ulong set = st.Aliases.TryGetValue(v.Variable, out var x) ? x : 1UL;
                if ((set & 1UL) != 0) Report(DiagnosticCatalog.HandleUnassigned, v.Span, v.Variable.Name);
                if (!releasing) Use(set, v.Span, st);
                return set;
            }
            case BoundConversion c:
                return Eval(c.Operand, st, releasing);
            case BoundConditional c:
            {
                Eval(c.Condition, st);
                var a = st.Clone();
                ulong x = Eval(c.WhenTrue, a, releasing);
                ulong y = Eval(c.WhenFalse, st, releasing);
                Merge(st, a);
                return x | y;
            }
            case BoundAssignment a:
                return Assign(a, st);
            case BoundCompoundAssignment ca:
                if (ca.Target is BoundMetaField cm) ReadMeta(cm, st);
                else EvalLvalue(ca.Target, st);
                Eval(ca.Value, st);
                if (ca.Target is BoundMetaField wm) WriteMeta(wm, st, evaluated: true);
                return 0;
            case BoundIncrement inc:
                if (inc.Target is BoundMetaField im) { ReadMeta(im, st); WriteMeta(im, st, evaluated: true); }
                else EvalLvalue(inc.Target, st);
                return 0;
            case BoundMetaField m:
                ReadMeta(m, st);
                return 0;
            case BoundBinary { Op: Syntax.BinaryOp.LogicalAnd or Syntax.BinaryOp.LogicalOr } b:
            {
                Eval(b.Left, st);
                var right = st.Clone();
                Eval(b.Right, right);
                Merge(st, right);
                return 0;
            }
            case BoundCall call:
                return Call(call, st);
            case BoundIntrinsicCall ic:
                return Intrinsic(ic, st);
            default:
                foreach (var child in BoundTreeWalker.Children(e)) if (child is BoundExpr ce) Eval(ce, st);
                return 0;
        }
    }

    /// <summary>Evaluates the parts of an lvalue (its handle, index) without reading the location itself.</summary>
    private void EvalLvalue(BoundExpr target, State st)
    {
        switch (target)
        {
            case BoundVariable: return;
            case BoundMetaField m: Eval(m.Handle, st); return;
            default:
                foreach (var child in BoundTreeWalker.Children(target)) if (child is BoundExpr ce) Eval(ce, st);
                return;
        }
    }

    /// <summary>Replaces <paramref name="into"/>'s contents with the join of both (for the two sides of a short-circuit).</summary>
    private static void Merge(State into, State other)
    {
        var j = State.Join(into, other)!;
        into.Aliases = j.Aliases;
        into.Status = j.Status;
        into.Written = j.Written;
        into.ReleasedAt = j.ReleasedAt;
    }

    private ulong Assign(BoundAssignment a, State st)
    {
        if (a.Target is BoundVariable { Type: HandleType } hv)
        {
            ulong set = Eval(a.Value, st);
            ulong old = st.Aliases.TryGetValue(hv.Variable, out var o) ? o : 0;
            st.Aliases[hv.Variable] = set;
            // Overwriting the last handle on an owned packet loses it: report the leak here.
            foreach (int s in SitesIn(old & ~set))
            {
                if ((st.Status[s] & Owned) == 0 || SiteInfo(s).IsLent) continue;
                if (st.Aliases.Values.Any(v => (v & (1UL << s)) != 0)) continue;
                Report(DiagnosticCatalog.PacketLeak, a.Value.Span, SiteInfo(s).Description, "the path to this assignment, which overwrites the last handle on it");
                st.Status[s] = Released;
                st.ReleasedAt[s] = a.Span;
            }
            return set;
        }
        if (a.Target is BoundMetaField m)
        {
            Eval(a.Value, st);
            WriteMeta(m, st, evaluated: false);
            return 0;
        }
        EvalLvalue(a.Target, st);
        Eval(a.Value, st);
        return 0;
    }

    private void Use(ulong set, SourceSpan span, State st)
    {
        foreach (int s in SitesIn(set))
            if ((st.Status[s] & Released) != 0)
                Report(DiagnosticCatalog.UseAfterRelease, span, SiteInfo(s).Description,
                    $"put or dropped (at {st.ReleasedAt[s].Short})" + ((st.Status[s] & Owned) != 0 ? " on some path" : ""));
    }

    private void Release(ulong set, SourceSpan span, State st)
    {
        var live = SitesIn(set).ToList();
        foreach (int s in live)
        {
            var info = SiteInfo(s);
            if (info.IsLent)
            {
                Report(DiagnosticCatalog.LentRelease, span, function.Parameters[info.ParamIndex].Name);
                continue;
            }
            if ((st.Status[s] & Released) != 0)
                Report(DiagnosticCatalog.DoubleRelease, span, info.Description, st.ReleasedAt[s].Short);
        }
        foreach (int s in live.Where(s => !SiteInfo(s).IsLent))
        {
            // One site: this packet is now released. Several: any one of them may be.
            st.Status[s] = live.Count == 1 ? Released : (byte)(st.Status[s] | Released);
            if (live.Count == 1 || st.ReleasedAt[s] == default) st.ReleasedAt[s] = span;
        }
    }

    private int Allocate(BoundNode node, State st, Site site, ImmutableHashSet<MetadataField> written)
    {
        int s = NewSite(node, site);
        if ((st.Status[s] & Owned) != 0)
            Report(DiagnosticCatalog.PacketLeak, node.Span, SiteInfo(s).Description + " on an earlier iteration", "the path back to this point");
        st.Status[s] = Owned;
        st.Written[s] = written;
        st.ReleasedAt[s] = default;
        return s;
    }

    // ---- metadata ----------------------------------------------------------------------------

    private void ReadMeta(BoundMetaField m, State st)
    {
        ulong set = Eval(m.Handle, st);
        foreach (int s in SitesIn(set)) RequireField(s, m.Field, m.Span, st);
    }

    private void RequireField(int s, MetadataField field, SourceSpan span, State st)
    {
        if (st.Written[s]?.Contains(field) == true) return;
        var info = SiteInfo(s);
        if (info.Base == PacketBase.Created) return;
        if ((info.Base & PacketBase.Lent) != 0)
            foreach (int p in info.LentFrom) Summary.ReadsParam.Add((p, field, span));
        if ((info.Base & PacketBase.Received) != 0)
            Reads.Add(new ReadFact(field, PacketBase.Received, info.LentFrom, function, span));
    }

    private void WriteMeta(BoundMetaField m, State st, bool evaluated)
    {
        ulong set = evaluated ? SitesOfHandleQuietly(m.Handle, st) : Eval(m.Handle, st);
        var live = SitesIn(set).ToList();
        // Only a write to one known packet makes a field surely written.
        if (live.Count == 1 && st.Written[live[0]] is { } w) st.Written[live[0]] = w.Add(m.Field);
    }

    /// <summary>The sites of a handle expression already evaluated (no second use report).</summary>
    private static ulong SitesOfHandleQuietly(BoundExpr handle, State st) => handle switch
    {
        BoundVariable v => st.Aliases.TryGetValue(v.Variable, out var x) ? x : 0,
        BoundConversion c => SitesOfHandleQuietly(c.Operand, st),
        _ => 0,
    };

    // ---- calls and intrinsics ------------------------------------------------------------------

    private ulong Call(BoundCall call, State st)
    {
        var argSites = call.Args.Select(a => Eval(a, st)).ToList();
        if (!summaries.TryGetValue(call.Function, out var callee)) return 0;

        for (int i = 0; i < argSites.Count; i++)
        {
            if (call.Args[i].Type is not HandleType) continue;
            var live = SitesIn(argSites[i]).ToList();
            foreach (var (param, field, _) in callee.ReadsParam.Where(r => r.Param == i))
                foreach (int s in live) RequireField(s, field, call.Span, st);
            if (live.Count == 1 && callee.WritesParam.TryGetValue(i, out var writes) && st.Written[live[0]] is { } w)
                st.Written[live[0]] = w.Union(writes);
        }
        if (call.Type is not HandleType) return 0;
        ulong result = 0;
        foreach (int p in callee.ReturnsParams) if (p < argSites.Count) result |= argSites[p];
        if (callee.ReturnsFresh)
        {
            var handleArgs = Enumerable.Range(0, argSites.Count).Where(i => call.Args[i].Type is HandleType).SelectMany(i => SitesIn(argSites[i])).ToList();
            var (b, written, lentFrom) = Derive(handleArgs, st);
            int s = Allocate(call, st, new Site($"the packet returned by '{call.Function.QualifiedName}'",
                handleArgs.Count == 0 ? PacketBase.Created : b, false, -1, lentFrom), written);
            result |= 1UL << s;
        }
        return result;
    }

    /// <summary>Base, surely-written fields and lending parameters of a packet derived from others (a copy).</summary>
    private (PacketBase Base, ImmutableHashSet<MetadataField> Written, ImmutableArray<int> LentFrom) Derive(List<int> from, State st)
    {
        var b = PacketBase.None;
        ImmutableHashSet<MetadataField>? written = null;
        var lent = ImmutableArray.CreateBuilder<int>();
        foreach (int s in from)
        {
            var info = SiteInfo(s);
            b |= info.Base;
            lent.AddRange(info.LentFrom);
            var w = st.Written[s] ?? ImmutableHashSet<MetadataField>.Empty;
            written = written is null ? w : written.Intersect(w);
        }
        if (b.HasFlag(PacketBase.Created) && b != PacketBase.Created) b &= ~PacketBase.Created;
        return (b == PacketBase.None ? PacketBase.Created : b, written ?? ImmutableHashSet<MetadataField>.Empty, lent.Distinct().ToImmutableArray());
    }

    private ulong Intrinsic(BoundIntrinsicCall ic, State st)
    {
        switch (ic.Intrinsic)
        {
            case Semantics.Intrinsic.ChannelPut:
            {
                var output = ((BoundEndpoint)ic.Args[0]).Endpoint;
                ulong set = Eval(ic.Args[1], st, releasing: true);
                foreach (int s in SitesIn(set))
                    Puts.Add(new PutFact(output, st.Written[s] ?? ImmutableHashSet<MetadataField>.Empty, SiteInfo(s).Base, function, ic.Span));
                Release(set, ic.Span, st);
                return 0;
            }
            case Semantics.Intrinsic.PacketDrop:
                Release(Eval(ic.Args[0], st, releasing: true), ic.Span, st);
                return 0;
            case Semantics.Intrinsic.PacketDecap:
            case Semantics.Intrinsic.PacketEncap:
                return Eval(ic.Args[0], st);
            case Semantics.Intrinsic.PacketCopy:
            {
                var from = SitesIn(Eval(ic.Args[0], st)).ToList();
                var (b, written, lent) = Derive(from, st);
                int s = Allocate(ic, st, new Site($"the packet copied at {ic.Span.Short}", b, false, -1, lent), written);
                return 1UL << s;
            }
            case Semantics.Intrinsic.PacketCreate:
            {
                Eval(ic.Args[1], st);
                int s = Allocate(ic, st, new Site($"the packet created at {ic.Span.Short}", PacketBase.Created, false, -1, ImmutableArray<int>.Empty),
                    program.Metadata.ToImmutableHashSet());
                return 1UL << s;
            }
            default:
                foreach (var a in ic.Args) Eval(a, st);
                return 0;
        }
    }
}
