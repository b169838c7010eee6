using System.Globalization;
using System.Text.RegularExpressions;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Syntax;

namespace Baker.Compiler.Interpreter;

/// <summary>When a control call runs: before the first packet, at an emulated time, or after the trace has drained.</summary>
public enum ControlWhen { Start, At, End }

/// <summary>
/// One argument of a control call. <paramref name="Value"/> is the literal's 64-bit two's complement,
/// <paramref name="IsNegative"/> says it is below zero, <paramref name="Text"/> is the literal as written and
/// <paramref name="Column"/> (1-based) where it starts.
/// </summary>
public sealed record ControlArg(ulong Value, bool IsNegative, string Text, int Column = 1);

/// <summary>
/// One line of a control script. <paramref name="AtNs"/> is the offset from the first packet for
/// <see cref="ControlWhen.At"/> (0 otherwise); <paramref name="Text"/> is the call normalised as
/// <c>path.function(arg, arg)</c>; <paramref name="Column"/> (1-based) is where the instance path starts.
/// </summary>
public sealed record ControlCall(string File, int Line, ControlWhen When, long AtNs, string Path, string Function,
    IReadOnlyList<ControlArg> Args, string Text, int Column = 1)
{
    /// <summary>Where diagnostics about the call as a whole point: its instance path.</summary>
    public SourceSpan Span => new(File, Line, Column, 0, 0);
}

/// <summary>The calls of a script in file order, and every problem found (the lines with problems are left out).</summary>
public sealed record ControlScript(IReadOnlyList<ControlCall> Calls, IReadOnlyList<Diagnostic> Errors);

/// <summary>
/// Parses control scripts (language reference, section 9): one call per line, <c>[@TIME|@end] path.function(args)</c>,
/// with <c>#</c> comments. Arguments are Baker literals (section 1) plus a leading '-' on decimals.
/// </summary>
public static class ControlScriptParser
{
    public static ControlScript ParseFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var why = e is FileNotFoundException or DirectoryNotFoundException ? $"'{path}' was not found" : $"'{path}': {e.Message}";
            return new([], [DiagnosticCatalog.CannotReadControlScript.At(new SourceSpan(path, 1, 1, 0, 0), why)]);
        }
        return Parse(text, path);
    }

    public static ControlScript Parse(string text, string file)
    {
        var calls = new List<ControlCall>();
        var errors = new List<Diagnostic>();
        var lines = text.TrimStart('\uFEFF').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = new LineParser(file, i + 1, StripComment(lines[i].TrimEnd('\r')), errors);
            if (line.Parse() is { } call) calls.Add(call);
        }
        return new(calls, errors);
    }

    /// <summary>Cuts a '#' comment off, except a '#' inside a character literal such as <c>'#'</c>.</summary>
    private static string StripComment(string line)
    {
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (quoted && line[i] == '\\') i++;
            else if (line[i] == '\'') quoted = !quoted;
            else if (!quoted && line[i] == '#') return line[..i];
        }
        return line;
    }

    /// <summary>A syntax problem that ends the parse of its line; At is a 0-based index into the line.</summary>
    private sealed class LineError(int at, string message) : Exception(message)
    {
        public int At { get; } = at;
    }

    private static readonly Regex Time = new(@"\G@(?:(?<end>end)|(?<num>[0-9]+(?:\.[0-9]+)?)(?<unit>ns|us|ms|s))(?=\s|$)", RegexOptions.CultureInvariant);
    private static readonly Regex Mac = new(@"^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$", RegexOptions.CultureInvariant);
    private static readonly Regex DottedNumber = new(@"^[0-9]+(?:\.[0-9]+)+$", RegexOptions.CultureInvariant);

    private sealed class LineParser(string file, int lineNo, string text, List<Diagnostic> errors)
    {
        private int pos;

        private bool AtEnd => pos >= text.Length;
        private char Peek => AtEnd ? '\0' : text[pos];
        private string Found => AtEnd ? "the end of the line" : $"'{text[pos]}'";

        private Diagnostic Error(int at, string detail) =>
            DiagnosticCatalog.ControlSyntax.At(new SourceSpan(file, lineNo, at + 1, 0, 0), detail);

        private void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[pos])) pos++;
        }

        public ControlCall? Parse()
        {
            SkipSpace();
            if (AtEnd) return null;
            try
            {
                var (when, atNs) = Peek == '@' ? ParseTime() : (ControlWhen.Start, 0L);
                SkipSpace();
                var start = pos;
                var names = new List<string> { Identifier("an instance path") };
                while (Peek == '.')
                {
                    pos++;
                    names.Add(Identifier("a name after '.'"));
                }
                if (names.Count == 1)
                    throw new LineError(start, $"'{names[0]}' has no instance path; call a control function through its instance, as in 'core.fwd.lpm.{names[0]}(...)'");
                SkipSpace();
                if (Peek != '(') throw new LineError(pos, $"expected '(' after '{string.Join('.', names)}', found {Found}");
                pos++;
                var (args, badLiteral) = Arguments();
                SkipSpace();
                if (!AtEnd) throw new LineError(pos, $"unexpected '{text[pos..].TrimEnd()}' after the call; write one call per line");
                if (badLiteral) return null;
                var path = string.Join('.', names.Take(names.Count - 1));
                var normalised = $"{path}.{names[^1]}({string.Join(", ", args.Select(a => a.Text))})";
                return new ControlCall(file, lineNo, when, atNs, path, names[^1], args, normalised, start + 1);
            }
            catch (LineError e)
            {
                errors.Add(Error(e.At, e.Message));
                return null;
            }
        }

        private (ControlWhen, long) ParseTime()
        {
            var m = Time.Match(text, pos);
            if (!m.Success)
            {
                var end = pos;
                while (end < text.Length && !char.IsWhiteSpace(text[end])) end++;
                throw new LineError(pos, $"invalid time '{text[pos..end]}': write '@', a number and a unit (ns, us, ms or s) with no space between, as in '@2ms' or '@1.5us', or write '@end'");
            }
            var at = pos;
            pos += m.Length;
            SkipSpace();
            if (AtEnd) throw new LineError(at, $"'{m.Value}' is not followed by a call; write the call on the same line");
            if (m.Groups["end"].Success) return (ControlWhen.End, 0);
            decimal scale = m.Groups["unit"].Value switch { "ns" => 1m, "us" => 1e3m, "ms" => 1e6m, _ => 1e9m };
            var tooLate = new LineError(at, $"time '{m.Value}' is too late: the largest time is {long.MaxValue}ns");
            // Compare before multiplying so that neither step can overflow a decimal.
            if (!decimal.TryParse(m.Groups["num"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
                || number > long.MaxValue)
                throw tooLate;
            var ns = decimal.Round(number * scale, MidpointRounding.AwayFromZero);
            if (ns > long.MaxValue) throw tooLate;
            return (ControlWhen.At, (long)ns);
        }

        private string Identifier(string what)
        {
            var start = pos;
            if (!AtEnd && (char.IsAsciiLetter(text[pos]) || text[pos] == '_'))
                while (!AtEnd && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] == '_')) pos++;
            if (pos == start) throw new LineError(pos, $"expected {what}, found {Found}");
            return text[start..pos];
        }

        /// <summary>
        /// The arguments after '(' up to and including ')'. A bad literal is reported and the others still checked,
        /// so one line shows all its bad literals; broken punctuation ends the line.
        /// </summary>
        private (List<ControlArg>, bool) Arguments()
        {
            var args = new List<ControlArg>();
            var bad = false;
            SkipSpace();
            if (Peek == ')')
            {
                pos++;
                return (args, bad);
            }
            while (true)
            {
                SkipSpace();
                var start = pos;
                var quoted = false;
                for (; !AtEnd && (quoted || (Peek != ',' && Peek != ')')); pos++)
                {
                    if (quoted && Peek == '\\') pos++;
                    else if (Peek == '\'') quoted = !quoted;
                }
                var arg = text[start..Math.Min(pos, text.Length)].TrimEnd();
                if (arg.Length == 0) throw new LineError(start, $"expected an argument, found {Found}");
                if (AtEnd) throw new LineError(text.Length, "the call is not closed; add ')'");
                if (Literal(arg, out var value, out var negative) is { } problem)
                {
                    errors.Add(Error(start, problem));
                    bad = true;
                }
                else args.Add(new ControlArg(value, negative, arg, start + 1));
                if (text[pos++] == ')') return (args, bad);
            }
        }
    }

    /// <summary>The value of one argument literal, or null; else the problem (and what to write instead).</summary>
    private static string? Literal(string s, out ulong value, out bool negative)
    {
        value = 0;
        negative = false;
        if (s == "true") { value = 1; return null; }
        if (s == "false") return null;
        if (s[0] == '\'')
        {
            var c = Literals.Char(s);
            value = (ulong)(c ?? 0);
            return c is null ? $"invalid character literal {s}: use one ASCII character or an escape (\\n \\t \\r \\0 \\\\ \\' \\\" \\xHH)" : null;
        }
        if (Mac.IsMatch(s))
        {
            value = Literals.Mac(s);
            return null;
        }
        if (DottedNumber.IsMatch(s))
            return Literals.Ipv4(s, out value) ? null : $"invalid IPv4 literal '{s}': write four parts a.b.c.d, each 0..255";
        if (s.Contains(':')) return $"invalid MAC literal '{s}': write six two-hex-digit groups joined by ':', as in 00:1b:21:3a:4f:5e";

        var body = s[0] == '-' ? s[1..] : s;
        if (body.Length == 0 || !char.IsAsciiDigit(body[0]))
            return $"'{s}' is not a value; write an integer (42, -7, 0x2A, 0b101), an IPv4 address (10.0.0.1), a MAC address (00:1b:21:3a:4f:5e), true, false or a character ('a')";
        var invalid = $"invalid integer literal '{s}'";
        if (body.Length != s.Length && Literals.HasRadixPrefix(body)) return $"{invalid}: '-' applies to decimal literals only; write the value in decimal";
        if (Literals.Integer(body, out var magnitude) is { } problem) return $"{invalid}: {problem}";
        if (body.Length == s.Length)
        {
            value = magnitude;
            return null;
        }
        if (magnitude > 1UL << 63) return $"{invalid}: it does not fit in 64 bits (the smallest value is {long.MinValue})";
        value = unchecked(0UL - magnitude);
        negative = magnitude != 0;   // "-0" is zero, which every parameter type takes
        return null;
    }
}

/// <summary>Checks a parsed call against the parameters of the control function it resolved to.</summary>
public static class ControlCallChecker
{
    /// <summary>
    /// Null when the call fits, else the first problem: BK6004 for a wrong count, BK6005 for an argument out of
    /// its parameter's range. Each parameter is (name, width in bits, signed, type name); bool has width 1.
    /// </summary>
    public static Diagnostic? CheckArguments(ControlCall call, IReadOnlyList<(string Name, int Bits, bool Signed, string TypeName)> parameters)
    {
        if (call.Args.Count != parameters.Count)
            return DiagnosticCatalog.ControlArgumentCount.At(call.Span, call.Function, parameters.Count, call.Args.Count);
        for (var i = 0; i < parameters.Count; i++)
        {
            var (name, bits, signed, typeName) = parameters[i];
            var arg = call.Args[i];
            if (!Fits(arg, bits, signed))
                return DiagnosticCatalog.ControlArgumentRange.At(new SourceSpan(call.File, call.Line, arg.Column, 0, 0), arg.Text, name, typeName);
        }
        return null;
    }

    /// <summary>
    /// Whether the argument's value (as a mathematical integer) lies in the type's range: an unsigned N-bit type
    /// takes 0..2^N-1, a signed one -2^(N-1)..2^(N-1)-1, bool 0 or 1. A bit pattern such as 0xFF is not taken
    /// as -1 for an i8: write -1.
    /// </summary>
    public static bool Fits(ControlArg arg, int bits, bool signed)
    {
        if (bits <= 1) return !arg.IsNegative && arg.Value <= 1;
        if (!signed) return !arg.IsNegative && (bits >= 64 || arg.Value >> bits == 0);
        if (arg.IsNegative) return bits >= 64 || unchecked((long)arg.Value) >= -(1L << (bits - 1));
        return arg.Value <= (bits >= 64 ? long.MaxValue : (1UL << (bits - 1)) - 1);
    }
}
