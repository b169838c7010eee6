using System.Globalization;
using Baker.Compiler.Syntax;

namespace Baker.Tools.Bakerc.Convert;

/// <summary>
/// Turns a ClassBench filter set into a control script for samples/firewall: one
/// <c>fw.policy.add_rule(...)</c> per rule, in file order (line 1 is rule 0, the highest priority).
/// </summary>
/// <remarks>
/// A rule line is tab-separated, with an optional trailing tab:
/// <c>@SA/len  DA/len  splo : sphi  dplo : dphi  0xPP/0xMM  [0xFFFF/0xMMMM]  [permit|drop]</c>.
/// The TCP-flags field is checked and ignored (the firewall matches the 5-tuple only). The last,
/// optional field is this converter's extension: the rule's action, <c>permit</c> when absent (ClassBench
/// has no actions). Blank lines and lines starting with '#' are skipped.
/// </remarks>
public static class ClassBenchConverter
{
    /// <summary>The firewall's rule base (samples/firewall/firewall.baker: module fw, PPF policy).</summary>
    public const string PolicyPath = "fw.policy";

    /// <summary>MAX_RULES in samples/firewall/defs.baker.</summary>
    public const int Capacity = 4096;

    private const int ActionDrop = 0;
    private const int ActionPermit = 1;

    private sealed record Rule(string Src, int SrcLen, string Dst, int DstLen, int SportLo, int SportHi,
        int DportLo, int DportHi, int Proto, int ProtoMask, int Action);

    /// <summary>
    /// Reads every rule first, so a malformed line throws before anything is written; with
    /// <paramref name="queryHits"/> the script ends with an <c>@end rule_hits(i)</c> query per rule.
    /// </summary>
    public static void Convert(TextReader input, string fileName, bool queryHits, TextWriter output)
    {
        var rules = new List<Rule>();
        var lineNumber = 0;
        while (input.ReadLine() is { } line)
        {
            lineNumber++;
            var text = line.Trim();
            if (text.Length == 0 || text[0] == '#') continue;
            if (rules.Count == Capacity)
                throw new ConvertException(fileName, lineNumber, $"more than {Capacity} rules: the firewall holds {Capacity}");
            rules.Add(ParseRule(text, fileName, lineNumber));
        }

        var name = Path.GetFileName(fileName);
        output.WriteLine($"# samples/firewall rules from the ClassBench filter set {name} ({rules.Count} rules), by bakerc convert classbench.");
        output.WriteLine("# Rule i is the i-th rule line of the file (0-based); the first rule a packet matches decides. TCP flags are ignored.");
        output.WriteLine("# add_rule(src, src_len, dst, dst_len, sport_lo, sport_hi, dport_lo, dport_hi, proto, proto_mask, action: 1 permit, 0 drop)");
        foreach (var r in rules)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{PolicyPath}.add_rule({r.Src}, {r.SrcLen}, {r.Dst}, {r.DstLen}, {r.SportLo}, {r.SportHi}, {r.DportLo}, {r.DportHi}, 0x{r.Proto:X2}, 0x{r.ProtoMask:X2}, {r.Action})"));
        if (!queryHits) return;
        output.WriteLine("# After the trace: how many packets matched each rule first.");
        for (var i = 0; i < rules.Count; i++)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"@end {PolicyPath}.rule_hits({i})"));
    }

    private static Rule ParseRule(string text, string file, int line)
    {
        ConvertException Fail(string message) => new(file, line, message);

        if (text[0] != '@')
            throw Fail($"a rule starts with '@' (as in '@10.0.0.0/8\\t...'), found '{Excerpt(text)}'");
        var fields = text[1..].Split('\t').Select(f => f.Trim()).ToList();
        while (fields.Count > 0 && fields[^1].Length == 0) fields.RemoveAt(fields.Count - 1);
        if (fields.Count < 5 || fields.Count > 7)
            throw Fail($"expected 5 to 7 tab-separated fields (SA/len, DA/len, sp_lo : sp_hi, dp_lo : dp_hi, proto/mask, optional flags/mask, optional permit|drop), found {fields.Count}");

        var (src, srcLen) = Prefix(fields[0], "source", Fail);
        var (dst, dstLen) = Prefix(fields[1], "destination", Fail);
        var (sportLo, sportHi) = PortRange(fields[2], "source", Fail);
        var (dportLo, dportHi) = PortRange(fields[3], "destination", Fail);
        var (proto, protoMask) = ValueMask(fields[4], "protocol", 0xFF, Fail);

        var next = 5;
        if (next < fields.Count && fields[next].StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            ValueMask(fields[next], "TCP flags", 0xFFFF, Fail);
            next++;
        }
        var action = ActionPermit;
        if (next < fields.Count)
        {
            action = fields[next] switch
            {
                "permit" => ActionPermit,
                "drop" => ActionDrop,
                _ => throw Fail($"field {next + 1} '{fields[next]}' is neither TCP flags (0xVVVV/0xMMMM) nor an action (permit or drop)"),
            };
            next++;
        }
        if (next < fields.Count)
            throw Fail($"unexpected field {next + 1} '{fields[next]}' after the action");
        return new Rule(src, srcLen, dst, dstLen, sportLo, sportHi, dportLo, dportHi, proto, protoMask, action);
    }

    /// <summary>"a.b.c.d/len": the address as written (the firewall clears host bits itself) and the length.</summary>
    private static (string, int) Prefix(string field, string which, Func<string, ConvertException> fail)
    {
        var slash = field.IndexOf('/');
        if (slash < 0)
            throw fail($"the {which} prefix '{field}' has no '/len'; write a.b.c.d/len");
        var address = field[..slash];
        if (!Literals.Ipv4(address, out var value))
            throw fail($"the {which} address '{address}' is not an IPv4 address a.b.c.d with each part 0..255");
        if (!Decimal(field[(slash + 1)..], 32, out var len))
            throw fail($"the {which} prefix length '{field[(slash + 1)..]}' is not a number 0..32");
        return (Literals.FormatIpv4((uint)value), len);
    }

    /// <summary>"lo : hi", inclusive, 0..65535, lo &lt;= hi.</summary>
    private static (int, int) PortRange(string field, string which, Func<string, ConvertException> fail)
    {
        var ends = field.Split(':');
        if (ends.Length != 2)
            throw fail($"the {which} port range '{field}' is not 'lo : hi'");
        if (!Decimal(ends[0].Trim(), 65535, out var lo) || !Decimal(ends[1].Trim(), 65535, out var hi))
            throw fail($"the {which} port range '{field}' has an end that is not a port 0..65535");
        if (lo > hi)
            throw fail($"the {which} port range '{field}' is empty: {lo} is above {hi}");
        return (lo, hi);
    }

    /// <summary>"0xVV/0xMM" with both parts at most <paramref name="max"/>.</summary>
    private static (int, int) ValueMask(string field, string what, int max, Func<string, ConvertException> fail)
    {
        var parts = field.Split('/');
        if (parts.Length != 2 || !Hex(parts[0], max, out var value) || !Hex(parts[1], max, out var mask))
            throw fail($"the {what} field '{field}' is not 0xVALUE/0xMASK with hex values up to 0x{max:X}");
        return (value, mask);
    }

    private static bool Decimal(string s, int max, out int value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 5 || !s.All(char.IsAsciiDigit)) return false;
        value = int.Parse(s, CultureInfo.InvariantCulture);
        return value <= max;
    }

    private static bool Hex(string s, int max, out int value)
    {
        value = 0;
        if (s.Length < 3 || s.Length > 6 || !s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || !s[2..].All(char.IsAsciiHexDigit))
            return false;
        value = int.Parse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        return value <= max;
    }

    private static string Excerpt(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
