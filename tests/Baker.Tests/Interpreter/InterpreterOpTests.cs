using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Interpreter;

/// <summary>
/// The interpreter's ops, one IR file per group in tests/interp/ops. Each file must parse and verify;
/// its <c>; run: @f(ARGS) == VALUE</c> and <c>; run: @f(ARGS) faults REASON</c> lines then run in file
/// order on one interpreter (so globals carry over from line to line) through <see cref="IrInterpreter.Call"/>.
/// Arguments and values are decimal (may be negative) or 0x hex; a value is compared after both sides
/// are normalised to the function's return type (void returns 0). The expected values were worked
/// out by hand from the language reference, never taken from the interpreter.
/// </summary>
public class InterpreterOpTests
{
    private static readonly string InterpDir = Repo.Path("tests", "interp");
    private static readonly string OpsDir = Path.Combine(InterpDir, "ops");
    private static readonly Regex RunLine = new(
        @"^;\s*run:\s*@(?<name>[\w.]+)\((?<args>[^)]*)\)\s*(?:==\s*(?<value>-?\w+)|faults\s+(?<reason>[a-z_]+))\s*$");

    public static TheoryData<string> Files() =>
        new(Directory.GetFiles(OpsDir, "*.ir").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Files))]
    public void RunLinesHold(string name)
    {
        var text = File.ReadAllText(Path.Combine(OpsDir, name));
        var module = IrParser.Parse(text, name);
        var problems = IrVerifier.Verify(module);
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        var interpreter = new IrInterpreter(module);
        var failures = new List<string>();
        int runs = 0;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (!Regex.IsMatch(line, @"^;\s*run:")) continue;
            var m = RunLine.Match(line);
            if (!m.Success) { failures.Add($"{name}:{i + 1}: cannot read the run line"); continue; }
            runs++;
            var f = module.Function(m.Groups["name"].Value);
            if (f is null) { failures.Add($"{name}:{i + 1}: no function @{m.Groups["name"].Value}"); continue; }
            var args = m.Groups["args"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(Number).ToArray();
            var result = interpreter.Call(f.Name, args);
            if (m.Groups["reason"].Success)
            {
                var reason = m.Groups["reason"].Value;
                if (result is not null)
                    failures.Add($"{name}:{i + 1}: expected a fault {reason}, got {Show(result.Value, f.ReturnType)}");
                else if (interpreter.LastFault?.StartsWith(reason + ":", StringComparison.Ordinal) != true)
                    failures.Add($"{name}:{i + 1}: expected a fault {reason}, got {interpreter.LastFault}");
            }
            else
            {
                var type = f.ReturnType == IrType.Void ? IrType.U64 : f.ReturnType;
                var expected = type.Normalize(Number(m.Groups["value"].Value));
                if (result is null)
                    failures.Add($"{name}:{i + 1}: expected {Show(expected, type)}, got a fault {interpreter.LastFault}");
                else if (type.Normalize(result.Value) != expected)
                    failures.Add($"{name}:{i + 1}: expected {Show(expected, type)}, got {Show(type.Normalize(result.Value), type)}");
            }
        }
        Assert.True(runs > 0, $"{name} has no run lines");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    internal static ulong Number(string text)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.Parse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (text.StartsWith('-')) return (ulong)long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return ulong.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    internal static string Show(ulong v, IrType t) =>
        t.IsSigned() ? ((long)v).ToString(CultureInfo.InvariantCulture) : $"{v} (0x{v:X})";

    /// <summary>Every op of the op table is exercised by some file under tests/interp: an IR file, or the IR of a compiled app.</summary>
    [Fact]
    public void EveryOpAppearsInAnInterpreterTest()
    {
        var seen = new HashSet<Op>();
        void Collect(IrModule m) => seen.UnionWith(m.Functions.SelectMany(f => f.Blocks).SelectMany(b => b.Instructions).Select(i => i.Op));
        foreach (var file in Directory.GetFiles(OpsDir, "*.ir")) Collect(IrParser.Parse(File.ReadAllText(file), file));
        foreach (var file in Directory.GetFiles(Path.Combine(InterpDir, "apps"), "*.baker"))
        {
            var r = Compilation.Compile([file], new CompileOptions());
            Assert.False(r.HasErrors, $"{Path.GetFileName(file)}: {string.Join("\n", r.Diagnostics)}");
            Collect(r.Module!);
        }
        var missing = OpTable.All.Where(row => !seen.Contains(row.Op)).Select(row => row.Name).ToList();
        Assert.True(missing.Count == 0, "ops no interpreter test uses: " + string.Join(", ", missing));
    }

    // ---- CRC and hash against an independent bitwise reference ---------------------------------

    /// <summary>CRC-32/MPEG-2 one bit at a time: polynomial 0x04C11DB7, MSB first, initial value 0xFFFFFFFF, no final xor.</summary>
    private static uint ReferenceCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFF_FFFF;
        foreach (var b in data)
        {
            crc ^= (uint)b << 24;
            for (int k = 0; k < 8; k++) crc = (crc & 0x8000_0000) != 0 ? (crc << 1) ^ 0x04C1_1DB7 : crc << 1;
        }
        return crc;
    }

    private static uint ReferenceCrc(ulong x, int n)
    {
        var bytes = new byte[n];
        for (int i = 0; i < n; i++) bytes[i] = (byte)(x >> (8 * (n - 1 - i)));
        return ReferenceCrc(bytes);
    }

    [Fact]
    public void TheReferenceCrcGivesTheCatalogueCheckValue() =>
        Assert.Equal(0x0376_E6E7u, ReferenceCrc("123456789"u8));

    [Fact]
    public void CrcAndHashOpsMatchTheReference()
    {
        var ir = new StringBuilder("app crc\n");
        for (int n = 1; n <= 8; n++) ir.Append($"func @crc{n}(%0: u64) -> u32 helper {{\nb0:\n  %1: u32 = crc32 %0, {n}\n  ret %1\n}}\n");
        ir.Append("func @h32(%0: u64) -> u32 helper {\nb0:\n  %1: u32 = hash32 %0\n  ret %1\n}\n");
        ir.Append("func @h64(%0: u64) -> u64 helper {\nb0:\n  %1: u64 = hash64 %0\n  ret %1\n}\n");
        var interpreter = new IrInterpreter(IrParser.Parse(ir.ToString(), "crc.ir"));
        var random = new Random(20240601);
        var values = new List<ulong> { 0, 1, ulong.MaxValue, 0x8000_0000_0000_0000, 0x0102_0304_0506_0708 };
        for (int i = 0; i < 200; i++) values.Add((ulong)random.NextInt64() ^ ((ulong)random.Next() << 33));
        foreach (var x in values)
        {
            for (int n = 1; n <= 8; n++) Assert.Equal(ReferenceCrc(x, n), interpreter.Call($"crc{n}", x));
            Assert.Equal(ReferenceCrc(x, 8), interpreter.Call("h32", x));
            Assert.Equal((ulong)ReferenceCrc(x, 8) << 32 | ReferenceCrc(~x, 8), interpreter.Call("h64", x));
        }
    }
}
