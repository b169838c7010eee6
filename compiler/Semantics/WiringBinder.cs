using Baker.Compiler.Diagnostics;
using Baker.Compiler.Graphs;
using Baker.Compiler.Syntax;

namespace Baker.Compiler.Semantics;

/// <summary>
/// Modules and the app: instances, wires (direction, protocols, fan-out, dangling endpoints),
/// then the app flattened into PPF instances and channels, and reachability from rx.
/// </summary>
internal sealed class WiringBinder(Binder binder)
{
    private BoundProgram Program => binder.Program;
    private void Report(DiagnosticDescriptor d, SourceSpan span, params object[] args) => binder.Report(d, span, args);

    public void Run(List<ModuleDecl> decls)
    {
        foreach (var m in Program.Modules) DeclareModule(m);
        foreach (var m in Program.Modules) BindWires(m);

        var apps = Program.Modules.Where(m => m.IsApp).ToList();
        if (apps.Count == 0)
        {
            var first = Program.Units.Count > 0 ? Program.Units[0].Path : "<input>";
            if (decls.Count(d => d.IsApp) == 0)
                Report(DiagnosticCatalog.AppCount, new SourceSpan(first, 1, 1, 0, 0),
                    "the program has no app: declare one 'app name { ... wiring { rx -> ...; ... -> tx; } }'");
            return;
        }
        foreach (var extra in apps.Skip(1))
            Report(DiagnosticCatalog.AppCount, extra.Span, $"a program has exactly one app, and '{apps[0].Name}' is declared at {apps[0].Span.Short}; remove one");
        Program.App = apps[0];
        Program.Graph = new Flattener(this, apps[0]).Run();
    }

    // ---- module-level checks -------------------------------------------------------------------

    private void DeclareModule(ModuleSymbol m)
    {
        var space = new DeclarationSpace(binder.Diagnostics, $"in module '{m.Name}'", name => name is "rx" or "tx");
        bool Claim(Name n) => space.Claim(n);
        foreach (var e in m.Decl.Endpoints)
        {
            if (m.IsApp) { Report(DiagnosticCatalog.AppEndpoint, e.Name.Span); continue; }
            if (Claim(e.Name)) m.Endpoints.Add(new EndpointSymbol(e.Name.Text, e.Name.Span, e.IsInput, binder.ResolveEndpointProtocol(e), m));
        }
        foreach (var i in m.Decl.Instances)
        {
            var type = binder.LookupGlobal(i.Type.Text);
            string? problem = type switch
            {
                null => $"'{i.Type.Text}' is not declared; an instance names a PPF or a module",
                PpfSymbol when i.IsModule => $"'{i.Type.Text}' is a PPF: write 'ppf {i.Name.Text} : {i.Type.Text};'",
                ModuleSymbol { IsApp: true } => $"'{i.Type.Text}' is the app; an app cannot be instantiated",
                ModuleSymbol when !i.IsModule => $"'{i.Type.Text}' is a module: write 'module {i.Name.Text} : {i.Type.Text};'",
                PpfSymbol or ModuleSymbol => null,
                _ => $"'{i.Type.Text}' is not a PPF or a module",
            };
            if (problem is not null) { Report(DiagnosticCatalog.BadInstance, i.Type.Span, problem); continue; }
            if (Claim(i.Name)) m.Instances.Add(new InstanceSymbol(i.Name.Text, i.Name.Span, i, type!));
        }
    }

    private static IEnumerable<EndpointSymbol> EndpointsOf(Symbol type) => type switch
    {
        PpfSymbol p => p.Endpoints,
        ModuleSymbol m => m.Endpoints,
        _ => [],
    };

    private void BindWires(ModuleSymbol m)
    {
        var started = new Dictionary<string, WireDecl>(StringComparer.Ordinal);
        // Endpoints named by any wire, even one rejected for another reason, are not reported as dangling too.
        var mentioned = new HashSet<string>(m.Decl.Wires.SelectMany(w => new[] { w.From.ToString(), w.To.ToString() }), StringComparer.Ordinal);
        foreach (var w in m.Decl.Wires)
        {
            var from = ResolveEnd(m, w.From, source: true);
            var to = ResolveEnd(m, w.To, source: false);
            if (from is null || to is null) continue;
            if (!started.TryAdd(from.ToString(), w))
            {
                Report(DiagnosticCatalog.FanOut, w.From.Span, from, started[from.ToString()].Span.Short);
                continue;
            }
            var (fromProto, toProto) = (ProtocolOf(from), ProtocolOf(to));
            if (toProto != "packet" && fromProto != toProto)
            {
                Report(DiagnosticCatalog.WireTypeMismatch, w.To.Span, from, fromProto, to, toProto);
                continue;
            }
            m.Wires.Add(new Wire(from, to, w));
        }

        // Every endpoint inside the module must be wired: outputs (and the module's own inputs)
        // start a wire, inputs (and the module's own outputs) end one.
        foreach (var inst in m.Instances)
            foreach (var e in EndpointsOf(inst.Type))
            {
                bool wired = e.IsInput
                    ? m.Wires.Any(w => w.To.Instance == inst && w.To.Endpoint == e)
                    : m.Wires.Any(w => w.From.Instance == inst && w.From.Endpoint == e);
                if (!wired && !mentioned.Contains($"{inst.Name}.{e.Name}"))
                    Report(DiagnosticCatalog.DanglingEndpoint, inst.Span, $"{(e.IsInput ? "input" : "output")} '{inst.Name}.{e.Name}'");
            }
        foreach (var e in m.Endpoints)
        {
            bool wired = e.IsInput
                ? m.Wires.Any(w => w.From.Instance is null && w.From.Endpoint == e)
                : m.Wires.Any(w => w.To.Instance is null && w.To.Endpoint == e);
            if (!wired && !mentioned.Contains(e.Name))
                Report(DiagnosticCatalog.DanglingEndpoint, e.Span, $"{(e.IsInput ? "input" : "output")} '{e.Name}' of module '{m.Name}' (inside it)");
        }
        if (m.IsApp && !mentioned.Contains("rx"))
            Report(DiagnosticCatalog.DanglingEndpoint, m.Span, $"rx of app '{m.Name}'");
    }

    /// <summary>The protocol a wire end carries: rx and tx carry ether.</summary>
    private static string ProtocolOf(WireEnd end) => end.IsRx || end.IsTx ? "ether" : end.Endpoint!.ProtocolName;

    private WireEnd? ResolveEnd(ModuleSymbol m, EndpointRef r, bool source)
    {
        string role = source ? "the source (left of '->')" : "the target (right of '->')";
        if (r.Instance is null)
        {
            string name = r.Endpoint.Text;
            if (name is "rx" or "tx")
            {
                if (!m.IsApp)
                {
                    Report(DiagnosticCatalog.UnknownEndpoint, r.Span, $"'{name}' is wired in the app, not in a module; give module '{m.Name}' an endpoint instead");
                    return null;
                }
                bool isRx = name == "rx";
                if (isRx != source)
                {
                    Report(DiagnosticCatalog.WireDirection, r.Span, isRx
                        ? "rx is where packets come from: it can only be the source of a wire ('rx -> x.in')"
                        : "tx is where packets leave: it can only be the target of a wire ('x.out -> tx')");
                    return null;
                }
                return new WireEnd(null, null, isRx, !isRx, r);
            }
            var own = m.Endpoint(name);
            if (own is null)
            {
                Report(DiagnosticCatalog.UnknownEndpoint, r.Span, m.IsApp
                    ? $"'{name}' is not rx, tx or an instance endpoint; write 'instance.endpoint'"
                    : $"module '{m.Name}' has no endpoint '{name}'; write 'instance.endpoint' or declare it");
                return null;
            }
            // Inside a module, its own input is where packets come from, its own output where they go.
            if (own.IsInput != source)
            {
                Report(DiagnosticCatalog.WireDirection, r.Span, own.IsInput
                    ? $"'{name}' is an input of module '{m.Name}': inside the module it can only be {"the source of a wire"}"
                    : $"'{name}' is an output of module '{m.Name}': inside the module it can only be the target of a wire");
                return null;
            }
            return new WireEnd(null, own, false, false, r);
        }

        var inst = m.Instances.Find(i => i.Name == r.Instance.Text);
        if (inst is null)
        {
            bool declared = m.Decl.Instances.Any(i => i.Name.Text == r.Instance.Text);
            if (!declared)
                Report(DiagnosticCatalog.UnknownEndpoint, r.Instance.Span, $"'{r.Instance.Text}' is not an instance of {(m.IsApp ? "app" : "module")} '{m.Name}'");
            return null;
        }
        var ep = EndpointsOf(inst.Type).FirstOrDefault(e => e.Name == r.Endpoint.Text);
        if (ep is null)
        {
            var available = string.Join(", ", EndpointsOf(inst.Type).Select(e => e.Name));
            Report(DiagnosticCatalog.UnknownEndpoint, r.Span,
                $"'{inst.Type.Name}' has no endpoint '{r.Endpoint.Text}' (it has: {(available.Length > 0 ? available : "none")})");
            return null;
        }
        if (ep.IsInput == source)
        {
            Report(DiagnosticCatalog.WireDirection, r.Span, ep.IsInput
                ? $"'{r}' is an input: it can only be the target of a wire (right of '->', left of '<-'); {role} must be an output"
                : $"'{r}' is an output: it can only be the source of a wire (left of '->', right of '<-'); {role} must be an input");
            return null;
        }
        return new WireEnd(inst, ep, false, false, r);
    }

    // ---- flattening ------------------------------------------------------------------------------

    /// <summary>A module as instantiated at one place in the app's hierarchy.</summary>
    private sealed class ModuleContext(ModuleSymbol module, string path, ModuleContext? parent, InstanceSymbol? instance)
    {
        public ModuleSymbol Module { get; } = module;
        public string Path { get; } = path;
        public ModuleContext? Parent { get; } = parent;
        public InstanceSymbol? Instance { get; } = instance;
        public Dictionary<InstanceSymbol, PpfInstance> Ppfs { get; } = new();
        public Dictionary<InstanceSymbol, ModuleContext> Children { get; } = new();
    }

    private sealed class Flattener(WiringBinder owner, ModuleSymbol app)
    {
        private readonly AppGraph graph = new();
        private readonly List<ModuleContext> contexts = new();

        public AppGraph Run()
        {
            var root = new ModuleContext(app, "", null, null);
            Instantiate(root, new List<ModuleSymbol> { app });
            foreach (var ctx in contexts)
            {
                foreach (var (inst, ppf) in ctx.Ppfs)
                    foreach (var output in ppf.Ppf.Outputs)
                        Follow(ctx, new ChannelEnd(ppf, output), w => w.From.Instance == inst && w.From.Endpoint == output);
            }
            Follow(root, new ChannelEnd(null, null), w => w.From.IsRx);
            CheckReachability();
            return graph;
        }

        private void Instantiate(ModuleContext ctx, List<ModuleSymbol> stack)
        {
            contexts.Add(ctx);
            foreach (var inst in ctx.Module.Instances)
            {
                string path = ctx.Path.Length == 0 ? inst.Name : $"{ctx.Path}.{inst.Name}";
                switch (inst.Type)
                {
                    case PpfSymbol p:
                        var pi = new PpfInstance(graph.Instances.Count, path, p, inst);
                        graph.Instances.Add(pi);
                        ctx.Ppfs[inst] = pi;
                        break;
                    case ModuleSymbol m:
                        if (stack.Contains(m))
                        {
                            owner.Report(DiagnosticCatalog.BadInstance, inst.Decl.Type.Span,
                                $"module '{m.Name}' contains itself: {string.Join(" -> ", stack.SkipWhile(s => s != m).Select(s => s.Name))} -> {m.Name}");
                            break;
                        }
                        var child = new ModuleContext(m, path, ctx, inst);
                        ctx.Children[inst] = child;
                        stack.Add(m);
                        Instantiate(child, stack);
                        stack.RemoveAt(stack.Count - 1);
                        break;
                }
            }
        }

        /// <summary>Follows the chain of wires that starts at a source, through module boundaries, to its input (or tx).</summary>
        private void Follow(ModuleContext ctx, ChannelEnd from, Func<Wire, bool> starts)
        {
            var first = ctx.Module.Wires.FirstOrDefault(starts);
            if (first is null) return;    // dangling: reported at module level
            var wire = first;
            for (int hops = 0; hops < 10_000; hops++)
            {
                var to = wire.To;
                if (to.IsTx) { Add(from, new ChannelEnd(null, null), first, wire); return; }
                if (to.Instance is { } inst)
                {
                    if (ctx.Ppfs.TryGetValue(inst, out var target)) { Add(from, new ChannelEnd(target, to.Endpoint), first, wire); return; }
                    if (!ctx.Children.TryGetValue(inst, out var child)) return;
                    // Into a module instance: continue from its own input endpoint.
                    var next = child.Module.Wires.FirstOrDefault(w => w.From.Instance is null && !w.From.IsRx && w.From.Endpoint == to.Endpoint);
                    if (next is null) return;
                    ctx = child;
                    wire = next;
                    continue;
                }
                // To the enclosing module's own output: continue in the parent from 'instance.output'.
                if (ctx.Parent is null || ctx.Instance is null) return;
                var parentWire = ctx.Parent.Module.Wires.FirstOrDefault(w => w.From.Instance == ctx.Instance && w.From.Endpoint == to.Endpoint);
                if (parentWire is null) return;
                ctx = ctx.Parent;
                wire = parentWire;
            }
        }

        private void Add(ChannelEnd from, ChannelEnd to, Wire first, Wire last) =>
            graph.Channels.Add(new Channel(graph.Channels.Count, from, to, first, last));

        private void CheckReachability()
        {
            // Nodes: 0 = rx, 1 + i = instance i. An instance forwards from any input to any output.
            int n = graph.Instances.Count + 1;
            int Node(ChannelEnd e) => e.Instance is null ? 0 : 1 + e.Instance.Id;
            var succ = new List<int>[n];
            for (int i = 0; i < n; i++) succ[i] = new List<int>();
            foreach (var c in graph.Channels.Where(c => c.To.Instance is not null)) succ[Node(c.From)].Add(Node(c.To));
            var reachable = GraphAlgorithms.Reachable(n, [0], v => succ[v]);
            foreach (var inst in graph.Instances)
                foreach (var input in inst.Ppf.Inputs)
                {
                    var into = graph.Channels.Where(c => c.To.Instance == inst && c.To.Endpoint == input).ToList();
                    if (into.Count == 0 || into.Any(c => reachable[Node(c.From)])) continue;   // unwired inputs are reported as dangling
                    owner.Report(DiagnosticCatalog.Unreachable, inst.Symbol.Span, $"{inst.Path}.{input.Name}");
                }
        }
    }
}
