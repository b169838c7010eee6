using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.IR;

namespace Baker.Compiler.Backend.Me;

/// <summary>
/// Which microengine runs each PPF instance (compiler/docs/me-backend.md, "Placement"). The instances on one
/// ME are its aggregate: they share its control store, and its 8 contexts serve their inputs round robin.
/// The text form (<c>placement.txt</c>, <c>--placement FILE</c>) has one line per instance,
/// <c>PATH -> me N</c>; <c>#</c> starts a comment and blank lines are ignored.
/// </summary>
public sealed partial record Placement(IReadOnlyDictionary<string, int> MeOf)
{
    /// <summary>
    /// The default: instance k on ME k when there are MEs enough. Otherwise instances share, and sizes decide:
    /// largest first, each goes to the ME with the least code so far (the lowest such), so the largest ones stay
    /// alone while they can and the control-store check (BK5204) meets the smallest sums. The size is the IR
    /// instructions of the instance's process functions and everything they call (a helper counts for each
    /// instance: every ME that runs it holds a copy).
    /// </summary>
    public static Placement Default(IrModule m, int mes)
    {
        if (m.Instances.Count <= mes)
            return new(m.Instances.Select((inst, k) => (inst.Path, k)).ToDictionary(x => x.Path, x => x.Item2));
        var load = new long[mes];
        var meOf = new Dictionary<string, int>();
        foreach (var (inst, size) in m.Instances.Select(i => (i, Size(i))).OrderByDescending(x => x.Item2))
        {
            var me = Enumerable.Range(0, mes).MinBy(k => load[k]);
            load[me] += size;
            meOf[inst.Path] = me;
        }
        return new(meOf);
    }

    /// <summary>IR instructions of an instance's process functions and their callees, each function once.</summary>
    private static long Size(IrInstance inst)
    {
        var seen = new HashSet<IrFunction>();
        var stack = new Stack<IrFunction>(inst.Endpoints.Select(e => e.Process).OfType<IrFunction>());
        long size = 0;
        while (stack.Count > 0)
        {
            var f = stack.Pop();
            if (!seen.Add(f)) continue;
            foreach (var i in f.Blocks.SelectMany(b => b.Instructions))
            {
                size++;
                if (i.Op == Op.Call) stack.Push(((FunctionRef)i.Operands[0]).Target);
            }
        }
        return size;
    }

    /// <summary>The MEs that run something, in order.</summary>
    public IEnumerable<int> Mes => MeOf.Values.Distinct().Order();

    /// <summary>The aggregate of <paramref name="me"/>: its instances, in the module's order.</summary>
    public IReadOnlyList<string> On(IrModule m, int me) => m.Instances.Where(i => MeOf[i.Path] == me).Select(i => i.Path).ToList();

    /// <summary>The text form, one line per instance in the module's order (<see cref="Parse"/> reads it back).</summary>
    public string Write(IrModule m)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# Placement of {m.App}: one line per PPF instance, 'INSTANCE -> me N'.\n");
        sb.Append("# The instances on one ME share its control store and its 8 contexts (bakerc build|run --placement FILE).\n");
        var width = m.Instances.Select(i => i.Path.Length).DefaultIfEmpty(0).Max();
        foreach (var i in m.Instances)
            sb.Append(CultureInfo.InvariantCulture, $"{i.Path.PadRight(width)} -> me {MeOf[i.Path]}\n");
        return sb.ToString();
    }

    /// <summary>Reads a placement file for <paramref name="m"/> on MEs 0..<paramref name="mes"/> − 1.</summary>
    public static (Placement? Placement, IReadOnlyList<Diagnostic> Diagnostics) Read(string path, IrModule m, int mes)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, [DiagnosticCatalog.CannotReadPlacement.At(new SourceSpan(path, 1, 1, 0, 0), e.Message.TrimEnd('.'))]);
        }
        return Parse(text, path, m, mes);
    }

    /// <summary>
    /// Parses the text form: every instance of <paramref name="m"/> exactly once, on an ME in 0..<paramref name="mes"/> − 1.
    /// Every problem is reported, at its line and column; the placement is null when there is one.
    /// </summary>
    public static (Placement? Placement, IReadOnlyList<Diagnostic> Diagnostics) Parse(string text, string path, IrModule m, int mes)
    {
        var diags = new List<Diagnostic>();
        var meOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var placedAt = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var unreadable = false;
        var offset = 0;
        for (var n = 0; n < lines.Length; offset += lines[n].Length + 1, n++)
        {
            var line = lines[n];
            var hash = line.IndexOf('#');
            var content = hash >= 0 ? line[..hash] : line;
            if (content.Trim().Length == 0) continue;
            SourceSpan At(int column, int length) => new(path, n + 1, column + 1, offset + column, offset + column + length);
            var match = LineRx().Match(content);
            if (!match.Success)
            {
                unreadable = true;
                var start = content.Length - content.TrimStart().Length;
                diags.Add(DiagnosticCatalog.PlacementSyntax.At(At(start, content.Trim().Length), content.Trim()));
                continue;
            }
            var inst = match.Groups["path"];
            var me = match.Groups["me"];
            if (m.Instance(inst.Value) is null)
            {
                diags.Add(DiagnosticCatalog.PlacementUnknownInstance.At(At(inst.Index, inst.Length), inst.Value, string.Join(", ", m.Instances.Select(i => i.Path))));
                continue;
            }
            if (placedAt.TryGetValue(inst.Value, out var first))
            {
                diags.Add(DiagnosticCatalog.PlacementDuplicate.At(At(inst.Index, inst.Length), inst.Value, first));
                continue;
            }
            placedAt[inst.Value] = n + 1;
            if (!int.TryParse(me.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number >= mes)
            {
                diags.Add(DiagnosticCatalog.PlacementMeRange.At(At(me.Index, me.Length), me.Value, inst.Value, mes - 1));
                continue;
            }
            meOf[inst.Value] = number;
        }
        // A line that does not parse may be the one meant for a missing instance: report what is missing once the lines read.
        var missing = m.Instances.Where(i => !placedAt.ContainsKey(i.Path)).Select(i => $"'{i.Path}'").ToList();
        if (missing.Count > 0 && !unreadable)
            diags.Add(DiagnosticCatalog.PlacementMissing.At(new SourceSpan(path, 1, 1, 0, 0), string.Join(", ", missing)));
        return (diags.Count == 0 ? new Placement(meOf) : null, diags);
    }

    [GeneratedRegex(@"^\s*(?<path>[A-Za-z_][A-Za-z0-9_.]*)\s*->\s*me\s+(?<me>\d+)\s*$")]
    private static partial Regex LineRx();
}
