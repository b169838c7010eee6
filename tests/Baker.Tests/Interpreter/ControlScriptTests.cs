using System.Text.RegularExpressions;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Interpreter;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Interpreter;

/// <summary>
/// The control-script parser and argument checker. The cases in tests/control are scripts whose header lists the
/// errors the parser must report, as lines <c># expect: LINE:COL BKNNNN</c>. Lines <c># interpreter: LINE:COL BKNNNN</c>
/// (with <c># app: FILE</c>) name errors only a run against that app finds: this parser theory ignores them, and a
/// file with no <c># expect:</c> line must parse without an error.
/// </summary>
public class ControlScriptTests
{
    private static readonly string CasesDir = Repo.Path("tests", "control");
    private static readonly Regex Expect = new(@"^#\s*expect:\s*(?<line>\d+):(?<col>\d+)\s+(?<code>BK\d{4})\s*$", RegexOptions.Multiline);
    private static readonly Regex Interpreter = new(@"^#\s*interpreter:", RegexOptions.Multiline);

    public static TheoryData<string> Cases() =>
        new(Directory.GetFiles(CasesDir, "*.ctl").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Cases))]
    public void CaseReportsExactlyItsExpectations(string name)
    {
        var path = Path.Combine(CasesDir, name);
        var text = File.ReadAllText(path);
        var expected = Expect.Matches(text).Select(m => $"{m.Groups["line"].Value}:{m.Groups["col"].Value} {m.Groups["code"].Value}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.Count > 0 || Interpreter.IsMatch(text), $"{name} has neither '# expect:' nor '# interpreter:' lines");
        var script = ControlScriptParser.ParseFile(path);
        var actual = script.Errors.Select(d => $"{d.Span.Line}:{d.Span.Column} {d.Code}").Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.SequenceEqual(actual),
            $"expected:\n  {string.Join("\n  ", expected)}\nactual:\n  {string.Join("\n  ", script.Errors)}");
        Assert.All(script.Errors, d => Assert.Equal(path, d.Span.Path));
    }

    private static ControlCall One(string line)
    {
        var script = ControlScriptParser.Parse(line, "t.ctl");
        Assert.True(script.Errors.Count == 0, string.Join("\n", script.Errors));
        return Assert.Single(script.Calls);
    }

    private static Diagnostic Error(string line)
    {
        var script = ControlScriptParser.Parse(line, "t.ctl");
        Assert.Empty(script.Calls);
        var d = Assert.Single(script.Errors);
        Assert.Equal("BK6001", d.Code);
        return d;
    }

    private static ControlArg Arg(string literal) => Assert.Single(One($"a.f({literal})").Args);

    [Fact]
    public void ParsesTheReferenceExample()
    {
        var script = ControlScriptParser.Parse("""
            # routes.ctl
            core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)
            core.fwd.lpm.add_route(192.168.1.0, 24, 192.168.1.1)   # trailing comment

            @2ms core.fwd.lpm.add_route(172.16.0.0, 12, 10.0.0.254)
            @1500us core.fwd.lpm.set_mac(0, 00:1b:21:3a:4f:5e)
            @end core.fwd.lpm.misses()
            """, "routes.ctl");
        Assert.Empty(script.Errors);
        Assert.Equal(
            [
                "2 Start 0 core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)",
                "3 Start 0 core.fwd.lpm.add_route(192.168.1.0, 24, 192.168.1.1)",
                "5 At 2000000 core.fwd.lpm.add_route(172.16.0.0, 12, 10.0.0.254)",
                "6 At 1500000 core.fwd.lpm.set_mac(0, 00:1b:21:3a:4f:5e)",
                "7 End 0 core.fwd.lpm.misses()",
            ],
            script.Calls.Select(c => $"{c.Line} {c.When} {c.AtNs} {c.Text}"));
        var first = script.Calls[0];
        Assert.Equal(("routes.ctl", "core.fwd.lpm", "add_route", 1), (first.File, first.Path, first.Function, first.Column));
        Assert.Equal([0x0A000000UL, 8UL, 0x0A0000FEUL], first.Args.Select(a => a.Value));
        Assert.Equal(9, script.Calls[3].Column);
        Assert.Equal(0x001b213a4f5eUL, script.Calls[3].Args[1].Value);
        Assert.Empty(script.Calls[4].Args);
    }

    [Theory]
    [InlineData("42", 42UL)]
    [InlineData("0", 0UL)]
    [InlineData("010", 10UL)]                        // leading zeros are decimal, never octal
    [InlineData("1_000_000", 1_000_000UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("0x2A", 42UL)]
    [InlineData("0X2a", 42UL)]
    [InlineData("0xFFFF_FFFF", 0xFFFF_FFFFUL)]
    [InlineData("0x_ff", 255UL)]
    [InlineData("0xFFFFFFFFFFFFFFFF", ulong.MaxValue)]
    [InlineData("0b101010", 42UL)]
    [InlineData("0B1_0", 2UL)]
    [InlineData("10.0.0.1", 0x0A000001UL)]
    [InlineData("255.255.255.255", 0xFFFFFFFFUL)]
    [InlineData("010.0.0.1", 0x0A000001UL)]
    [InlineData("00:1b:21:3a:4f:5e", 0x001b213a4f5eUL)]
    [InlineData("FF:FF:FF:FF:FF:FF", 0xFFFFFFFFFFFFUL)]
    [InlineData("true", 1UL)]
    [InlineData("false", 0UL)]
    [InlineData("'a'", 97UL)]
    [InlineData("' '", 32UL)]
    [InlineData(@"'\n'", 10UL)]
    [InlineData(@"'\t'", 9UL)]
    [InlineData(@"'\r'", 13UL)]
    [InlineData(@"'\0'", 0UL)]
    [InlineData(@"'\\'", 92UL)]
    [InlineData(@"'\''", 39UL)]
    [InlineData(@"'\""'", 34UL)]
    [InlineData(@"'\x41'", 65UL)]
    [InlineData(@"'\xf'", 15UL)]
    [InlineData("'#'", 35UL)]                        // not a comment inside a character literal
    [InlineData("','", 44UL)]                        // nor an argument separator
    [InlineData("')'", 41UL)]
    [InlineData("-0", 0UL)]
    public void ParsesEveryNonNegativeLiteralForm(string literal, ulong value)
    {
        var arg = Arg(literal);
        Assert.Equal((value, false, literal), (arg.Value, arg.IsNegative, arg.Text));
        Assert.Equal(5, arg.Column);
    }

    [Theory]
    [InlineData("-1", -1L)]
    [InlineData("-42", -42L)]
    [InlineData("-1_000", -1000L)]
    [InlineData("-007", -7L)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public void ParsesNegativeDecimals(string literal, long value)
    {
        var arg = Arg(literal);
        Assert.True(arg.IsNegative);
        Assert.Equal(value, unchecked((long)arg.Value));
    }

    [Theory]
    [InlineData("@0ns", 0L)]
    [InlineData("@0ms", 0L)]
    [InlineData("@7ns", 7L)]
    [InlineData("@3us", 3_000L)]
    [InlineData("@2ms", 2_000_000L)]
    [InlineData("@1s", 1_000_000_000L)]
    [InlineData("@1.5us", 1_500L)]
    [InlineData("@0.25ms", 250_000L)]
    [InlineData("@1.0005us", 1_001L)]                // rounds to the nearest ns, halves away from zero
    [InlineData("@1.0004us", 1_000L)]
    [InlineData("@0.5ns", 1L)]
    [InlineData("@9223372036.854775807s", long.MaxValue)]
    public void ParsesEveryTimeUnit(string time, long ns)
    {
        var call = One($"{time}\tcore.lpm.f(1)");
        Assert.Equal((ControlWhen.At, ns), (call.When, call.AtNs));
        Assert.Equal(time.Length + 2, call.Column);
    }

    [Fact]
    public void EndAndStartCallsHaveNoTime()
    {
        var end = One("@end   a.b.f()");
        Assert.Equal((ControlWhen.End, 0L, 8), (end.When, end.AtNs, end.Column));
        var start = One("a.b.f()");
        Assert.Equal((ControlWhen.Start, 0L), (start.When, start.AtNs));
    }

    [Fact]
    public void SkipsBlankLinesAndCommentsAndToleratesSpacing()
    {
        var script = ControlScriptParser.Parse("\uFEFF# heading\r\n\r\n   \t\r\n  # indented comment\r\n  a.b . c(1)\r\n\ta.b.c  ( 1 ,2,  3 )   # why\r\n#", "t.ctl");
        var error = Assert.Single(script.Errors);     // 'a.b . c': no spaces inside the path
        Assert.Equal((5, 7), (error.Span.Line, error.Span.Column));
        var call = Assert.Single(script.Calls);
        Assert.Equal((6, 2, "a.b.c(1, 2, 3)"), (call.Line, call.Column, call.Text));
        Assert.Equal([11, 14, 18], call.Args.Select(a => a.Column));
    }

    [Fact]
    public void DeepPathsSplitAtTheLastDot()
    {
        var call = One("app_1.m2._x.y9.set_all_(true, false)");
        Assert.Equal(("app_1.m2._x.y9", "set_all_"), (call.Path, call.Function));
    }

    [Theory]
    [InlineData("@2m a.b()", 1, "invalid time '@2m'")]
    [InlineData("@ 2ms a.b()", 1, "invalid time '@'")]
    [InlineData("@.5ms a.b()", 1, "invalid time")]
    [InlineData("@1.ms a.b()", 1, "invalid time")]
    [InlineData("@-1ms a.b()", 1, "invalid time")]
    [InlineData("@2Ms a.b()", 1, "invalid time")]
    [InlineData("@1_000ns a.b()", 1, "invalid time")]
    [InlineData("@END a.b()", 1, "invalid time")]
    [InlineData("@2msa.b()", 1, "invalid time '@2msa.b()'")]
    [InlineData("@endx a.b()", 1, "invalid time")]
    [InlineData("  @2ms   ", 3, "'@2ms' is not followed by a call")]
    [InlineData("@end", 1, "'@end' is not followed by a call")]
    [InlineData("@9223372036854775808ns a.b()", 1, "is too late")]
    [InlineData("@9223372037s a.b()", 1, "is too late")]
    [InlineData("@99999999999999999999999999999999999s a.b()", 1, "is too late")]
    [InlineData("f(1)", 1, "'f' has no instance path")]
    [InlineData("  @1s f(1)", 7, "'f' has no instance path")]
    [InlineData("a.b.(1)", 5, "expected a name after '.', found '('")]
    [InlineData("a..b(1)", 3, "expected a name after '.'")]
    [InlineData("1a.b()", 1, "expected an instance path, found '1'")]
    [InlineData("a.b", 4, "expected '(' after 'a.b', found the end of the line")]
    [InlineData("a.b[1]", 4, "expected '(' after 'a.b', found '['")]
    [InlineData("a.b(1, 2", 9, "the call is not closed")]
    [InlineData("a.b(", 5, "expected an argument, found the end of the line")]
    [InlineData("a.b(1,)", 7, "expected an argument, found ')'")]
    [InlineData("a.b(,1)", 5, "expected an argument, found ','")]
    [InlineData("a.b(1) c.d(2)", 8, "unexpected 'c.d(2)' after the call")]
    [InlineData("a.b(1));", 7, "unexpected ');' after the call")]
    [InlineData("a.b(256.0.0.1)", 5, "invalid IPv4 literal '256.0.0.1'")]
    [InlineData("a.b(1.2.3)", 5, "invalid IPv4 literal")]
    [InlineData("a.b(1.5)", 5, "invalid IPv4 literal")]
    [InlineData("a.b(1.2.3.4.5)", 5, "invalid IPv4 literal")]
    [InlineData("a.b(0001.2.3.4)", 5, "invalid IPv4 literal")]
    [InlineData("a.b(0x)", 5, "it has no digits")]
    [InlineData("a.b(0b__)", 5, "it has no digits")]
    [InlineData("a.b(1_)", 5, "it ends with '_'")]
    [InlineData("a.b(0x1G)", 5, "'G' is not a hexadecimal digit")]
    [InlineData("a.b(0b102)", 5, "'2' is not a binary digit")]
    [InlineData("a.b(12a)", 5, "'a' is not a decimal digit")]
    [InlineData("a.b(18446744073709551616)", 5, "it does not fit in 64 bits")]
    [InlineData("a.b(0x1_0000_0000_0000_0000)", 5, "it does not fit in 64 bits")]
    [InlineData("a.b(0b11111111111111111111111111111111111111111111111111111111111111111)", 5, "it does not fit in 64 bits")]
    [InlineData("a.b(-9223372036854775809)", 5, "the smallest value is -9223372036854775808")]
    [InlineData("a.b(-0x10)", 5, "'-' applies to decimal literals only")]
    [InlineData("a.b(-0b1)", 5, "'-' applies to decimal literals only")]
    [InlineData("a.b(--1)", 5, "'--1' is not a value")]
    [InlineData("a.b(-)", 5, "'-' is not a value")]
    [InlineData("a.b(+1)", 5, "'+1' is not a value")]
    [InlineData("a.b(x)", 5, "'x' is not a value")]
    [InlineData("a.b(True)", 5, "'True' is not a value")]
    [InlineData("a.b(1 2)", 5, "invalid integer literal '1 2': ' ' is not a decimal digit")]
    [InlineData("a.b(00:1b:21:3a:4f)", 5, "invalid MAC literal '00:1b:21:3a:4f'")]
    [InlineData("a.b(0:1b:21:3a:4f:5e)", 5, "invalid MAC literal")]
    [InlineData("a.b(00:1b:21:3a:4f:5e:01)", 5, "invalid MAC literal")]
    [InlineData("a.b(00-1b-21-3a-4f-5e)", 5, "'-' is not a decimal digit")]
    [InlineData("a.b('ab')", 5, "invalid character literal 'ab'")]
    [InlineData("a.b('')", 5, "invalid character literal")]
    [InlineData(@"a.b('\q')", 5, "invalid character literal")]
    [InlineData(@"a.b('\x100')", 5, "invalid character literal")]
    [InlineData("a.b('\u0100')", 5, "invalid character literal")]
    [InlineData("a.b('a)", 8, "the call is not closed")]
    public void ReportsEachErrorWhereItIs(string line, int column, string message)
    {
        var d = Error(line);
        Assert.Equal(new SourceSpan("t.ctl", 1, column, 0, 0), d.Span);
        Assert.Contains(message, d.Message);
        Assert.StartsWith("control script syntax error: ", d.Message);
    }

    [Fact]
    public void ReportsEveryProblemAndKeepsTheGoodLines()
    {
        var script = ControlScriptParser.Parse("""
            a.b.f(1)
            @2x a.b.f(2)
            a.b.f(0x, 3, 256.1.1.1)   # two bad literals on one line
            f(4)
            @1ms a.b.g(5)
            a.b.f(6
            @end a.b.h()
            """, "many.ctl");
        Assert.Equal(["2:1", "3:7", "3:14", "4:1", "6:8"], script.Errors.Select(d => d.Span.Short));
        Assert.All(script.Errors, d => Assert.Equal(("BK6001", "many.ctl"), (d.Code, d.Span.Path)));
        Assert.Equal(["a.b.f(1)", "a.b.g(5)", "a.b.h()"], script.Calls.Select(c => c.Text));
        Assert.Equal([1, 5, 7], script.Calls.Select(c => c.Line));
        Assert.Equal("many.ctl(2,1): error BK6001: control script syntax error: invalid time '@2x': write '@', a number and a unit (ns, us, ms or s) with no space between, as in '@2ms' or '@1.5us', or write '@end'",
            script.Errors[0].ToString());
    }

    [Fact]
    public void ParseFileReadsTheFileAndNamesIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"baker-ctl-{Guid.NewGuid():N}.ctl");
        try
        {
            File.WriteAllText(path, "# t\n@1us a.b.f('x', -3)\n");
            var script = ControlScriptParser.ParseFile(path);
            Assert.Empty(script.Errors);
            var call = Assert.Single(script.Calls);
            Assert.Equal((path, 2, 1000L), (call.File, call.Line, call.AtNs));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ParseFileReportsAMissingFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"baker-missing-{Guid.NewGuid():N}", "routes.ctl");
        var script = ControlScriptParser.ParseFile(path);
        Assert.Empty(script.Calls);
        var d = Assert.Single(script.Errors);
        Assert.Equal(("BK6007", new SourceSpan(path, 1, 1, 0, 0)), (d.Code, d.Span));
        Assert.Equal($"cannot read control script: '{path}' was not found; check its path", d.Message);
    }

    [Fact]
    public void ParseFileReportsADirectory()
    {
        var d = Assert.Single(ControlScriptParser.ParseFile(Path.GetTempPath()).Errors);
        Assert.Equal("BK6007", d.Code);
        Assert.Contains(Path.GetTempPath(), d.Message);
    }

    // ---- the argument checker --------------------------------------------------------------

    private static readonly (string, int, bool, string) U8 = ("len", 8, false, "u8");

    private static Diagnostic? Check(string args, params (string, int, bool, string)[] parameters) =>
        ControlCallChecker.CheckArguments(One($"core.lpm.f({args})"), parameters);

    [Theory]
    [InlineData("0", 8, false, true)]
    [InlineData("255", 8, false, true)]
    [InlineData("256", 8, false, false)]
    [InlineData("-1", 8, false, false)]
    [InlineData("-0", 8, false, true)]
    [InlineData("'a'", 8, false, true)]
    [InlineData("65535", 16, false, true)]
    [InlineData("65536", 16, false, false)]
    [InlineData("255.255.255.255", 32, false, true)]
    [InlineData("4294967296", 32, false, false)]
    [InlineData("00:1b:21:3a:4f:5e", 32, false, false)]
    [InlineData("ff:ff:ff:ff:ff:ff", 48, false, true)]
    [InlineData("18446744073709551615", 64, false, true)]
    [InlineData("-1", 64, false, false)]
    [InlineData("-128", 8, true, true)]
    [InlineData("127", 8, true, true)]
    [InlineData("-129", 8, true, false)]
    [InlineData("128", 8, true, false)]
    [InlineData("0xFF", 8, true, false)]               // the value 255, not the bit pattern of -1
    [InlineData("-32768", 16, true, true)]
    [InlineData("32767", 16, true, true)]
    [InlineData("-32769", 16, true, false)]
    [InlineData("32768", 16, true, false)]
    [InlineData("-2147483648", 32, true, true)]
    [InlineData("2147483647", 32, true, true)]
    [InlineData("-2147483649", 32, true, false)]
    [InlineData("2147483648", 32, true, false)]
    [InlineData("-9223372036854775808", 64, true, true)]
    [InlineData("9223372036854775807", 64, true, true)]
    [InlineData("9223372036854775808", 64, true, false)]
    [InlineData("0", 1, false, true)]
    [InlineData("1", 1, false, true)]
    [InlineData("true", 1, false, true)]
    [InlineData("false", 1, false, true)]
    [InlineData("2", 1, false, false)]
    [InlineData("-1", 1, false, false)]
    public void ChecksEachTypeBound(string literal, int bits, bool signed, bool fits)
    {
        var type = bits == 1 ? "bool" : $"{(signed ? 'i' : 'u')}{bits}";
        var d = Check(literal, ("p", bits, signed, type));
        if (fits)
        {
            Assert.Null(d);
            return;
        }
        Assert.NotNull(d);
        Assert.Equal(("BK6005", new SourceSpan("t.ctl", 1, 12, 0, 0)), (d.Code, d.Span));
        Assert.Equal($"argument {literal} does not fit parameter 'p' of type '{type}'; give a value in the range of '{type}'", d.Message);
    }

    [Fact]
    public void ChecksTheArgumentCount()
    {
        Assert.Null(Check("", []));
        Assert.Null(Check("1, 2", U8, U8));
        var few = Check("1", U8, U8);
        Assert.NotNull(few);
        Assert.Equal(("BK6004", "control function 'f' takes 2 argument(s) but is given 1; give one value per parameter"), (few.Code, few.Message));
        Assert.Equal(new SourceSpan("t.ctl", 1, 1, 0, 0), few.Span);
        Assert.Equal("BK6004", Check("1, 2, 3", U8, U8)?.Code);
        Assert.Equal("BK6004", Check("1", [])?.Code);
    }

    [Fact]
    public void ReportsTheFirstArgumentThatDoesNotFit()
    {
        var d = ControlCallChecker.CheckArguments(One("@1ms  core.fwd.lpm.add_route(10.0.0.0, 300, -1)"),
            [("prefix", 32, false, "u32"), ("len", 8, false, "u8"), ("hop", 32, false, "u32")]);
        Assert.NotNull(d);
        Assert.Equal("t.ctl(1,40): error BK6005: argument 300 does not fit parameter 'len' of type 'u8'; give a value in the range of 'u8'", d.ToString());
    }
}
