using System.Collections.Immutable;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Semantics;

namespace Baker.Compiler.Analysis;

/// <summary>
/// Metadata defined before use (language reference, section 4), over the app's flattened graph.
/// An output of an instance defines what every put to it surely wrote, plus what the packet already
/// had: all fields for a created packet, the input's fields for the received one. An input has
/// what every channel into it defines (rx defines in_port only). Computed as a greatest fixed
/// point, so cycles in the wiring work; then every read not covered by a write in its own body,
/// and tx's read of out_port, is checked against its input.
///
///     ppf a { ... p->meta.hop = 1; channel_put(out, p); }      a.out defines {in_port, hop}
///     ppf b { ... x = p->meta.hop; ... }                         legal iff every channel into b.in defines hop
/// </summary>
public static class MetadataDefinednessCheck
{
    public static void Run(BoundProgram program, IReadOnlyDictionary<FunctionSymbol, PacketFlowAnalysis> flows, DiagnosticBag diagnostics)
    {
        var graph = program.Graph!;
        var all = program.Metadata.ToImmutableHashSet();
        var rxDefines = program.Metadata.Where(f => f.Name == "in_port").ToImmutableHashSet();

        var availIn = new Dictionary<(PpfInstance, EndpointSymbol), ImmutableHashSet<MetadataField>>();
        var availOut = new Dictionary<(PpfInstance, EndpointSymbol), ImmutableHashSet<MetadataField>>();
        foreach (var inst in graph.Instances)
            foreach (var e in inst.Ppf.Endpoints)
                (e.IsInput ? availIn : availOut)[(inst, e)] = all;

        ImmutableHashSet<MetadataField> Source(ChannelEnd from) =>
            from.Instance is null ? rxDefines : availOut[(from.Instance, from.Endpoint!)];

        var into = graph.Channels.Where(c => c.To.Instance is not null).ToLookup(c => (c.To.Instance!, c.To.Endpoint!));
        // Puts by output endpoint (endpoints belong to PPF types, so this serves every instance).
        var putsTo = graph.Instances.Select(i => i.Ppf).Distinct()
            .SelectMany(p => p.AllFunctions).Where(flows.ContainsKey).SelectMany(f => flows[f].Puts).ToLookup(f => f.Output);

        // Each instance takes its inputs, then defines its outputs, so a pass in graph order carries
        // definedness down a pipeline at once; cycles need a few more passes.
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var inst in graph.Instances)
            {
                foreach (var input in inst.Ppf.Inputs)
                {
                    var defined = all;
                    foreach (var c in into[(inst, input)]) defined = defined.Intersect(Source(c.From));
                    changed |= Update(availIn, (inst, input), defined);
                }
                foreach (var output in inst.Ppf.Outputs)
                {
                    var defined = all;
                    foreach (var fact in putsTo[output]) defined = defined.Intersect(FieldsAtPut(fact, inst, availIn, all));
                    changed |= Update(availOut, (inst, output), defined);
                }
            }
        }

        foreach (var inst in graph.Instances)
            foreach (var fn in inst.Ppf.Processes.Where(flows.ContainsKey))
                foreach (var read in flows[fn].Reads)
                {
                    if (availIn[(inst, fn.Endpoint!)].Contains(read.Field)) continue;
                    var culprit = into[(inst, fn.Endpoint!)].FirstOrDefault(c => !Source(c.From).Contains(read.Field));
                    string why = culprit is null
                        ? $"no channel brings packets to '{inst.Path}.{fn.Endpoint!.Name}'"
                        : $"packets reach '{inst.Path}.{fn.Endpoint!.Name}' from '{culprit.From.Describe(true)}', which does not set it on every path; write it first, or set it upstream before channel_put";
                    diagnostics.Report(DiagnosticCatalog.MetadataUndefined, read.Span, read.Field.Name, why);
                }

        var outPort = program.MetadataField("out_port")!;
        foreach (var c in graph.Channels.Where(c => c.To.IsDriver && !Source(c.From).Contains(outPort)))
            diagnostics.Report(DiagnosticCatalog.MetadataUndefined, c.LastWire.Decl.Span, "out_port",
                $"tx reads it to choose the port, and packets from '{c.From.Describe(true)}' may not have it; set p->meta.out_port before channel_put");
    }

    private static ImmutableHashSet<MetadataField> FieldsAtPut(PutFact fact, PpfInstance inst,
        Dictionary<(PpfInstance, EndpointSymbol), ImmutableHashSet<MetadataField>> availIn, ImmutableHashSet<MetadataField> all)
    {
        if (fact.Base == PacketBase.Created) return all;
        var fields = fact.Written;
        if (fact.Base.HasFlag(PacketBase.Received) && fact.Function.Endpoint is { } input)
            fields = fields.Union(availIn[(inst, input)]);
        return fields;
    }

    private static bool Update(Dictionary<(PpfInstance, EndpointSymbol), ImmutableHashSet<MetadataField>> map,
        (PpfInstance, EndpointSymbol) key, ImmutableHashSet<MetadataField> value)
    {
        if (map[key].SetEquals(value)) return false;
        map[key] = value;
        return true;
    }
}
