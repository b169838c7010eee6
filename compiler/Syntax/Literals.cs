using System.Globalization;

namespace Baker.Compiler.Syntax;

/// <summary>
/// The values of Baker's literals (section 1 of the reference), in one place for the source parser
/// and the control-script parser. Each returns null and the value, or the reason the text is not a
/// valid literal of its kind.
/// </summary>
public static class Literals
{
    public static bool HasRadixPrefix(string text) => text.Length >= 2 && text[0] == '0' && text[1] is 'x' or 'X' or 'b' or 'B';

    /// <summary>A decimal, 0x hex or 0b binary integer with optional '_' separators; leading zeros are decimal.</summary>
    public static string? Integer(string text, out ulong value)
    {
        value = 0;
        int radix = 10;
        var digits = text;
        if (HasRadixPrefix(text))
        {
            radix = text[1] is 'x' or 'X' ? 16 : 2;
            digits = text[2..];
        }
        if (digits.Replace("_", "").Length == 0) return "it has no digits";
        if (digits.EndsWith('_')) return "it ends with '_'";
        foreach (var c in digits)
        {
            if (c == '_') continue;
            var d = char.IsAsciiHexDigit(c) ? Convert.ToInt32(c.ToString(), 16) : radix;
            if (d >= radix) return $"'{c}' is not a {(radix == 2 ? "binary" : radix == 10 ? "decimal" : "hexadecimal")} digit";
            if (value > (ulong.MaxValue - (ulong)d) / (ulong)radix)
            {
                value = 0;
                return "it does not fit in 64 bits";
            }
            value = value * (ulong)radix + (ulong)d;
        }
        return null;
    }

    /// <summary>An IPv4 address a.b.c.d (each part 0..255) as the u32 0xAABBCCDD; false when it is not one.</summary>
    public static bool Ipv4(string text, out ulong value)
    {
        value = 0;
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        foreach (var p in parts)
        {
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit)) { value = 0; return false; }
            int octet = int.Parse(p, CultureInfo.InvariantCulture);
            if (octet > 255) { value = 0; return false; }
            value = (value << 8) | (uint)octet;
        }
        return true;
    }

    /// <summary>The dotted form a.b.c.d of an IPv4 address held as a u32.</summary>
    public static string FormatIpv4(uint a) => $"{a >> 24}.{(a >> 16) & 0xFF}.{(a >> 8) & 0xFF}.{a & 0xFF}";

    /// <summary>A MAC address (six two-hex-digit groups joined by ':') as a 48-bit value; the form is the caller's to check.</summary>
    public static ulong Mac(string text) => ulong.Parse(text.Replace(":", ""), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>A character literal with its quotes: one character, or an escape (\n \t \r \0 \\ \' \" \xHH); null when invalid or above 255.</summary>
    public static int? Char(string quoted)
    {
        if (quoted.Length < 3 || quoted[0] != '\'' || quoted[^1] != '\'') return null;
        var body = quoted[1..^1];
        int? c = body.Length == 1 && body[0] is not ('\\' or '\'') ? body[0]
            : body.Length == 2 && body[0] == '\\' ? body[1] switch
            {
                'n' => '\n', 't' => '\t', 'r' => '\r', '0' => 0, '\\' => '\\', '\'' => '\'', '"' => '"',
                _ => null,
            }
            : body.Length is 3 or 4 && body[0] == '\\' && body[1] == 'x'
                && int.TryParse(body[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) ? hex
            : null;
        return c is > 255 ? null : c;
    }
}
