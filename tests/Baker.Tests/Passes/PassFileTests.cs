using System.Globalization;
using System.Text.RegularExpressions;
using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Passes;

/// <summary>
/// IR text in, IR text out: each tests/ir/passes/NAME.ir starts with <c>; passes: NAME...</c> (pipeline pass names),
/// runs those passes (in the table's order, verified after each) and must print as NAME.expected.ir (a snapshot:
/// BAKER_BLESS=1 rewrites it; review the diff). Its <c>; run: @f(ARGS) == VALUE</c> and <c>; run: @f(ARGS) faults
/// REASON</c> lines (tests/interp/ops's form, values worked out by hand) must hold on the interpreter both before and
/// after the passes, so a pass that changes what the code computes fails even where the expected text was blessed.
/// </summary>
public class PassFileTests
{
    private static readonly string Dir = Repo.Path("tests", "ir", "passes");
    private static readonly Regex Header = new(@"^;\s*passes:\s*(?<names>[a-z0-9\- ,]+?)\s*$");

    public static TheoryData<string> Files() => new(Directory.GetFiles(Dir, "*.ir")
        .Where(p => !p.EndsWith(".expected.ir", StringComparison.Ordinal)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Files))]
    public void PassesGiveTheExpectedIrAndKeepTheResults(string name)
    {
        var text = File.ReadAllText(Path.Combine(Dir, name));
        var header = Header.Match(text.Split('\n')[0]);
        Assert.True(header.Success, $"{name} must start with '; passes: NAME...'");
        var passes = header.Groups["names"].Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        var module = IrParser.Parse(text, name);
        Assert.Empty(IrVerifier.Verify(module));
        var runs = RunLines.Parse(text, name);
        Assert.True(runs.Count > 0, $"{name} has no run lines");
        RunLines.AssertHold(module, runs, $"{name} before {string.Join(", ", passes)}");

        Pipeline.RunOn(module, passes);
        var printed = IrPrinter.Print(module);
        Snapshot.Match(Path.Combine(Dir, Path.ChangeExtension(name, ".expected.ir")), printed);
        RunLines.AssertHold(IrParser.Parse(printed, name), runs, $"{name} after {string.Join(", ", passes)}");
    }

    /// <summary>Each case names passes of the pipeline, and every optimising pass has cases of its own.</summary>
    [Fact]
    public void EveryOptimisingPassHasItsOwnCases()
    {
        var named = Directory.GetFiles(Dir, "*.ir").Where(p => !p.EndsWith(".expected.ir", StringComparison.Ordinal))
            .Select(p => Header.Match(File.ReadAllLines(p)[0]).Groups["names"].Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        Assert.All(named.SelectMany(n => n), n => Assert.NotNull(Pipeline.Find(n)));
        foreach (var pass in new[] { "simplify-cfg", "const-fold", "value-numbering", "copy-prop", "dce", "eq-branches" })
            Assert.Contains(named, n => n is [var only] && only == pass);
    }
}

/// <summary>The <c>; run:</c> lines of an IR file, run in file order on one interpreter (globals carry over).</summary>
internal static class RunLines
{
    private static readonly Regex Line = new(
        @"^;\s*run:\s*@(?<name>[\w.]+)\((?<args>[^)]*)\)\s*(?:==\s*(?<value>-?\w+)|faults\s+(?<reason>[a-z_]+))\s*$");

    public sealed record Run(int LineNumber, string Function, ulong[] Args, ulong? Value, string? Reason);

    public static List<Run> Parse(string text, string file)
    {
        var runs = new List<Run>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (!Regex.IsMatch(line, @"^;\s*run:")) continue;
            var m = Line.Match(line);
            Assert.True(m.Success, $"{file}:{i + 1}: cannot read the run line");
            var args = m.Groups["args"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Interpreter.InterpreterOpTests.Number).ToArray();
            runs.Add(new Run(i + 1, m.Groups["name"].Value, args,
                m.Groups["value"].Success ? Interpreter.InterpreterOpTests.Number(m.Groups["value"].Value) : null,
                m.Groups["reason"].Success ? m.Groups["reason"].Value : null));
        }
        return runs;
    }

    public static void AssertHold(IrModule module, IEnumerable<Run> runs, string what)
    {
        var interpreter = new IrInterpreter(module);
        var failures = new List<string>();
        foreach (var run in runs)
        {
            var f = module.Function(run.Function);
            if (f is null) { failures.Add($"line {run.LineNumber}: no function @{run.Function}"); continue; }
            var result = interpreter.Call(f.Name, run.Args);
            if (run.Reason is { } reason)
            {
                if (result is not null || interpreter.LastFault?.StartsWith(reason + ":", StringComparison.Ordinal) != true)
                    failures.Add($"line {run.LineNumber}: expected a fault {reason}, got {(result is null ? interpreter.LastFault : result.Value.ToString(CultureInfo.InvariantCulture))}");
                continue;
            }
            var type = f.ReturnType == IrType.Void ? IrType.U64 : f.ReturnType;
            var expected = type.Normalize(run.Value!.Value);
            if (result is null) failures.Add($"line {run.LineNumber}: expected {Interpreter.InterpreterOpTests.Show(expected, type)}, got a fault {interpreter.LastFault}");
            else if (type.Normalize(result.Value) != expected)
                failures.Add($"line {run.LineNumber}: expected {Interpreter.InterpreterOpTests.Show(expected, type)}, got {Interpreter.InterpreterOpTests.Show(type.Normalize(result.Value), type)}");
        }
        Assert.True(failures.Count == 0, what + ":\n" + string.Join("\n", failures));
    }

}
