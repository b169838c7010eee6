using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Baker.Compiler.IR;

/// <summary>
/// What a <c>trace</c> prints, for every target: the reference interpreter formats its lines with this as it runs,
/// and the chip's loader formats the records the microcode logged (ChipRun) with it after the run, so one line
/// reads the same whoever traced it. A line is "TIME TEXT", TIME the trace's now() in ns.
///
/// Conversions, as C's printf: <c>%u</c> (the value's bits read unsigned in its width), <c>%d</c> (signed in its
/// width), <c>%x</c>, <c>%X</c>; an optional <c>-</c> (left-justify), <c>0</c> (pad with zeros) and width, and
/// up to two <c>l</c>s (accepted and ignored); <c>%%</c> is a percent sign. A conversion with no value left is
/// printed as written.
/// </summary>
public static class TraceFormat
{
    private static readonly Regex Specifier = new("%(%|(-?)(0?)([0-9]*)(?:l{0,2})([udxX]))", RegexOptions.Compiled);

    /// <summary>The text of a trace with <paramref name="values"/> (each normalised to its type, as the IR holds it) of <paramref name="types"/>.</summary>
    public static string Text(string format, IReadOnlyList<ulong> values, IReadOnlyList<IrType> types)
    {
        int next = 0;
        return Specifier.Replace(format, m =>
        {
            if (m.Value == "%%") return "%";
            if (next >= values.Count) return m.Value;
            ulong v = values[next];
            var t = types[next++];
            var bits = t.Bits();
            string s = m.Groups[5].Value switch
            {
                // As C's printf: %d reads the value's bits as signed in its width.
                "d" => (bits is 64 or 1 ? (long)v : (long)(v << (64 - bits)) >> (64 - bits)).ToString(CultureInfo.InvariantCulture),
                "x" => (bits < 64 ? v & ((1UL << bits) - 1) : v).ToString("x", CultureInfo.InvariantCulture),
                "X" => (bits < 64 ? v & ((1UL << bits) - 1) : v).ToString("X", CultureInfo.InvariantCulture),
                _ => (t.IsSigned() && bits < 64 ? v & ((1UL << bits) - 1) : v).ToString(CultureInfo.InvariantCulture),
            };
            int width = m.Groups[4].Value.Length > 0 ? int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture) : 0;
            bool left = m.Groups[2].Value == "-", zero = m.Groups[3].Value == "0";
            if (s.Length < width) s = left ? s.PadRight(width) : s.PadLeft(width, zero ? '0' : ' ');
            return s;
        });
    }

    /// <summary>A trace line: the time in ns, a space, the text.</summary>
    public static string Line(long nowNs, string text) =>
        new StringBuilder().Append(nowNs.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(text).ToString();

    /// <summary>The time of a line <see cref="Line"/> made.</summary>
    public static long TimeOf(string line)
    {
        var space = line.IndexOf(' ');
        return long.Parse(space < 0 ? line : line[..space], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    /// <summary>The text of a line <see cref="Line"/> made (what follows the time).</summary>
    public static string TextOf(string line)
    {
        var space = line.IndexOf(' ');
        return space < 0 ? "" : line[(space + 1)..];
    }
}
