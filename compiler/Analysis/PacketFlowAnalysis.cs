using System.Collections.Immutable;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Semantics;

namespace Baker.Compiler.Analysis;

/// <summary>Where the packets a site stands for come from, for metadata definedness.</summary>
[Flags]
public enum PacketBase
{
    None = 0,
    /// <summary>The packet received by the process body: its metadata is what the input's channels define.</summary>
    Received = 1,
    /// <summary>Made by packet_create: every metadata field is defined.</summary>
    Created = 2,
    /// <summary>Lent by the caller (a helper's handle parameter): the caller's definedness applies.</summary>
    Lent = 4,
}

/// <summary>A packet put on an output, with the metadata fields surely written on the way there.</summary>
public sealed record PutFact(EndpointSymbol Output, ImmutableHashSet<MetadataField> Written, PacketBase Base, FunctionSymbol Function, SourceSpan Span);

/// <summary>A read of a metadata field not surely written before it in the same body.</summary>
public sealed record ReadFact(MetadataField Field, PacketBase Base, ImmutableArray<int> LentParams, FunctionSymbol Function, SourceSpan Span);

/// <summary>What callers need to know about a function.</summary>
public sealed class FunctionSummary
{
    /// <summary>True when the function returns packets it makes (ownership passes to the caller).</summary>
    public bool ReturnsFresh { get; set; }
    /// <summary>Handle parameters whose packet the returned handle may view.</summary>
    public HashSet<int> ReturnsParams { get; } = new();
    /// <summary>Per handle parameter: metadata fields surely written to its packet on every path through the function.</summary>
    public Dictionary<int, ImmutableHashSet<MetadataField>> WritesParam { get; } = new();
    /// <summary>Metadata reads of a parameter's packet that the caller's definedness must cover, with where they happen.</summary>
    public List<(int Param, MetadataField Field, SourceSpan Span)> ReadsParam { get; } = new();
}

/// <summary>
/// The packet dataflow of the language reference (section 5 and the definedness rule of section 4),
/// on the bound tree by abstract interpretation: packets are abstracted by their allocation site
/// (the received packet, each lent parameter, each packet_copy/packet_create, each call returning a
/// fresh packet); handle variables map to sets of sites; each site is unborn, owned or released
/// (a set of these, joined at merges). It reports leaks, uses after release, double releases, puts
/// of lent handles and unassigned handles, and records which metadata fields are surely written to
/// each packet at each put and read, for MetadataDefinednessCheck.
/// </summary>
public sealed partial class PacketFlowAnalysis
{
    // At most 64 sites per function are tracked exactly; later ones share the last slot (conservatively).
    private const int MaxSites = 64;
    private const byte Unborn = 1, Owned = 2, Released = 4;

    private readonly FunctionSymbol function;
    private readonly BoundProgram program;
    private readonly IReadOnlyDictionary<FunctionSymbol, FunctionSummary> summaries;
    private readonly Dictionary<(string Code, int Start), Diagnostic> reports = new();
    private readonly List<Site> sites = new();
    private readonly Dictionary<BoundNode, int> siteOfNode = new(ReferenceEqualityComparer.Instance);
    private readonly List<(State? Breaks, State? Continues, bool IsLoop)> targets = new();
    private State? returned;
    private int capacity;

    public FunctionSummary Summary { get; } = new();
    public List<PutFact> Puts { get; } = new();
    public List<ReadFact> Reads { get; } = new();

    /// <summary>An allocation site. <see cref="LentFrom"/>: the lent parameters its packet derives from.</summary>
    private sealed record Site(string Description, PacketBase Base, bool IsLent, int ParamIndex, ImmutableArray<int> LentFrom);

    private PacketFlowAnalysis(FunctionSymbol function, BoundProgram program, IReadOnlyDictionary<FunctionSymbol, FunctionSummary> summaries)
    {
        this.function = function;
        this.program = program;
        this.summaries = summaries;
    }

    public static PacketFlowAnalysis Analyze(FunctionSymbol function, BoundProgram program,
        IReadOnlyDictionary<FunctionSymbol, FunctionSummary> summaries, DiagnosticBag diagnostics)
    {
        var a = new PacketFlowAnalysis(function, program, summaries);
        a.Run();
        foreach (var d in a.reports.Values.OrderBy(d => d.Span.Start)) diagnostics.Add(d);
        return a;
    }

    // ---- abstract state ----------------------------------------------------------------------

    /// <summary>Per handle variable: the sites it may stand for (bit 0: not yet assigned). Per site: its status and surely-written fields.</summary>
    private sealed class State
    {
        public Dictionary<VariableSymbol, ulong> Aliases = new();
        public byte[] Status;
        public ImmutableHashSet<MetadataField>?[] Written;
        public SourceSpan[] ReleasedAt;

        /// <summary>A state for <paramref name="capacity"/> sites (slot 0 is "not assigned").</summary>
        public State(int capacity)
        {
            Status = new byte[capacity];
            Written = new ImmutableHashSet<MetadataField>?[capacity];
            ReleasedAt = new SourceSpan[capacity];
        }

        public State Clone() => new(0)
        {
            Aliases = new Dictionary<VariableSymbol, ulong>(Aliases),
            Status = (byte[])Status.Clone(),
            Written = (ImmutableHashSet<MetadataField>?[])Written.Clone(),
            ReleasedAt = (SourceSpan[])ReleasedAt.Clone(),
        };

        public static State? Join(State? a, State? b)
        {
            if (a is null) return b?.Clone();
            if (b is null) return a.Clone();
            var r = a.Clone();
            foreach (var (v, s) in b.Aliases) r.Aliases[v] = r.Aliases.TryGetValue(v, out var x) ? x | s : s;
            for (int i = 0; i < r.Status.Length; i++)
            {
                r.Status[i] |= b.Status[i];
                // Fields surely written: intersection, where an unborn site (null) constrains nothing.
                r.Written[i] = a.Written[i] is null ? b.Written[i] : b.Written[i] is null ? a.Written[i] : a.Written[i]!.Intersect(b.Written[i]!);
                if (r.ReleasedAt[i] == default) r.ReleasedAt[i] = b.ReleasedAt[i];
            }
            return r;
        }

        public bool SameAs(State o)
        {
            if (Aliases.Count != o.Aliases.Count) return false;
            foreach (var (v, s) in Aliases) if (!o.Aliases.TryGetValue(v, out var x) || x != s) return false;
            for (int i = 0; i < Status.Length; i++)
            {
                if (Status[i] != o.Status[i]) return false;
                if (Written[i] is null != o.Written[i] is null) return false;
                if (Written[i] is not null && !Written[i]!.SetEquals(o.Written[i]!)) return false;
            }
            return true;
        }
    }

    private void Report(DiagnosticDescriptor d, SourceSpan span, params object[] args) =>
        reports.TryAdd((d.Code, span.Start), d.At(span, args));

    private IEnumerable<int> SitesIn(ulong set)
    {
        for (int i = 1; i < capacity; i++) if ((set & (1UL << i)) != 0) yield return i;
    }

    private int NewSite(BoundNode node, Site site)
    {
        if (siteOfNode.TryGetValue(node, out int existing)) return existing;
        int id = Math.Min(sites.Count + 1, capacity - 1);
        if (sites.Count + 1 < capacity) sites.Add(site);
        siteOfNode[node] = id;
        return id;
    }

    private Site SiteInfo(int id) => sites[id - 1];

    // ---- the walk ----------------------------------------------------------------------------

    private void Run()
    {
        // One slot per possible site: handle parameters and every node that makes a packet.
        int makers = BoundTreeWalker.Descendants(function.Body!).Count(n =>
            n is BoundIntrinsicCall { Intrinsic: Semantics.Intrinsic.PacketCopy or Semantics.Intrinsic.PacketCreate } or BoundCall { Type: HandleType });
        capacity = Math.Min(MaxSites, 1 + function.Parameters.Count(p => p.Type is HandleType) + makers);
        var entry = new State(capacity);
        for (int i = 0; i < capacity; i++) entry.Status[i] = Unborn;
        var paramSites = new List<(int Param, int Site)>();
        for (int i = 0; i < function.Parameters.Count; i++)
        {
            var p = function.Parameters[i];
            if (p.Type is not HandleType) continue;
            bool received = function.Kind == FunctionKind.Process;
            int site = NewSite(new BoundVariable(p, p.Span), new Site(
                received ? $"the packet received as '{p.Name}'" : $"the packet lent as '{p.Name}'",
                received ? PacketBase.Received : PacketBase.Lent, !received, i, received ? [] : [i]));
            paramSites.Add((i, site));
            entry.Aliases[p] = 1UL << site;
            entry.Status[site] = Owned;
            entry.Written[site] = ImmutableHashSet<MetadataField>.Empty;
        }
        var body = function.Body!;
        var exit = Exec(body, entry);
        if (exit is not null) AtExit(exit, null, body.CloseSpan, isReturn: false);

        // Summaries: fields surely written to each lent packet on every way out.
        var final = State.Join(exit, returned);
        if (final is not null)
            foreach (var (param, site) in paramSites)
                Summary.WritesParam[param] = final.Written[site] ?? ImmutableHashSet<MetadataField>.Empty;
    }

    private State? Exec(BoundStmt s, State? st)
    {
        if (st is null) return null;   // unreachable code: nothing flows here
        switch (s)
        {
            case BoundBlock b:
                foreach (var x in b.Statements) st = Exec(x, st);
                return st;
            case BoundLocalDecl d:
                if (d.Initializer is not null)
                {
                    var v = Eval(d.Initializer, st);
                    if (d.Variable.Type is HandleType) st.Aliases[d.Variable] = v;
                }
                else if (d.Variable.Type is HandleType) st.Aliases[d.Variable] = 1UL;
                return st;
            case BoundExprStmt e:
                Eval(e.Expr, st);
                return st;
            case BoundIf i:
            {
                Eval(i.Condition, st);
                var t = Exec(i.Then, st.Clone());
                var f = i.Else is null ? st : Exec(i.Else, st.Clone());
                return State.Join(t, f);
            }
            case BoundWhile w: return Loop(st, w.Condition, w.Body, [], conditionFirst: true);
            case BoundDoWhile d: return Loop(st, d.Condition, d.Body, [], conditionFirst: false);
            case BoundFor f:
                foreach (var x in f.Init) st = Exec(x, st);
                return st is null ? null : Loop(st, f.Condition, f.Body, f.Step, conditionFirst: true);
            case BoundSwitch sw:
            {
                Eval(sw.Value, st);
                targets.Add((null, null, false));
                State? end = sw.Sections.Any(x => x.IsDefault) ? null : st.Clone();
                foreach (var section in sw.Sections)
                {
                    var x = st.Clone() as State;
                    foreach (var stmt in section.Body) x = Exec(stmt, x);
                    end = State.Join(end, x);
                }
                var (breaks, continues, _) = targets[^1];
                targets.RemoveAt(targets.Count - 1);
                if (continues is not null) AddContinue(continues);
                return State.Join(end, breaks);
            }
            case BoundBreak:
            {
                if (targets.Count == 0) return null;   // a break outside any loop: already an error
                var t = targets[^1];
                targets[^1] = (State.Join(t.Breaks, st), t.Continues, t.IsLoop);
                return null;
            }
            case BoundContinue:
                AddContinue(st);
                return null;
            case BoundReturn r:
            {
                ulong value = r.Value is null ? 0 : Eval(r.Value, st);
                AtExit(st, r.Value is { Type: HandleType } ? value : null, r.Span, isReturn: true);
                returned = State.Join(returned, st);
                return null;
            }
            default:
                return st;
        }
    }

    /// <summary>Continue goes to the innermost loop (a switch passes it outward).</summary>
    private void AddContinue(State st)
    {
        for (int i = targets.Count - 1; i >= 0; i--)
        {
            if (!targets[i].IsLoop) continue;
            targets[i] = (targets[i].Breaks, State.Join(targets[i].Continues, st), true);
            return;
        }
    }

    private State? Loop(State entry, BoundExpr? condition, BoundStmt body, ImmutableArray<BoundExpr> step, bool conditionFirst)
    {
        bool alwaysTrue = condition is null or BoundLiteral { Value: not 0 };
        var head = entry.Clone();
        for (int iteration = 0; iteration < 100; iteration++)
        {
            targets.Add((null, null, true));
            var s = head.Clone();
            State? exitByCondition = null;
            if (conditionFirst && condition is not null) { Eval(condition, s); if (!alwaysTrue) exitByCondition = s.Clone(); }
            var afterBody = Exec(body, s);
            var (breaks, continues, _) = targets[^1];
            targets.RemoveAt(targets.Count - 1);
            var backEdge = State.Join(afterBody, continues);
            if (backEdge is not null)
            {
                foreach (var e in step) Eval(e, backEdge);
                if (!conditionFirst && condition is not null)
                {
                    Eval(condition, backEdge);
                    if (!alwaysTrue) exitByCondition = State.Join(exitByCondition, backEdge);
                }
            }
            var next = State.Join(entry, backEdge)!;
            if (next.SameAs(head) || iteration == 99)
                return State.Join(exitByCondition, breaks);
            head = next;
        }
        return null;
    }

    /// <summary>At a return or the end of the body: owned packets must have been put or dropped (a returned fresh packet passes to the caller).</summary>
    private void AtExit(State st, ulong? returnedSites, SourceSpan span, bool isReturn)
    {
        if (returnedSites is { } ret)
        {
            bool fresh = false, lent = false;
            foreach (int s in SitesIn(ret))
            {
                var info = SiteInfo(s);
                if (info.IsLent) { lent = true; Summary.ReturnsParams.Add(info.ParamIndex); }
                else fresh = true;
            }
            if (fresh && lent || fresh && Summary.ReturnsParams.Count > 0 || lent && Summary.ReturnsFresh)
                Report(DiagnosticCatalog.MixedReturnOrigin, span, function.QualifiedName,
                    fresh && lent ? "both a packet it makes and a lent one" : fresh ? "a packet it makes" : "a handle on a parameter's packet",
                    fresh && lent ? "on different paths" : fresh ? "a handle on a parameter's packet" : "a packet it makes");
            if (fresh) Summary.ReturnsFresh = true;
            // The returned packet now belongs to the caller.
            foreach (int s in SitesIn(ret)) if (!SiteInfo(s).IsLent) st.Status[s] = (byte)((st.Status[s] & ~Owned) | Released);
        }
        foreach (int s in Enumerable.Range(1, Math.Min(sites.Count, capacity - 1)))
        {
            var info = SiteInfo(s);
            if (info.IsLent || (st.Status[s] & Owned) == 0) continue;
            string where = isReturn ? "the path to this return" : "the path that reaches the end of the body";
            if ((st.Status[s] & (Released | Unborn)) != 0) where = isReturn ? "some path to this return" : "some path to the end of the body";
            Report(DiagnosticCatalog.PacketLeak, span, info.Description, where);
        }
    }
}
