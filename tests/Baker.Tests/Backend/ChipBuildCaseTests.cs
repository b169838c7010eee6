using System.Text.RegularExpressions;
using Baker.Compiler.Backend.Me;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Driver;
using Baker.Compiler.IR;
using Baker.Runtime.Machine;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>
/// Apps and placements the chip build must refuse, as files. tests/backend/build: a .baker app (or .ir module) and
/// the machine it is built for (<c>machine: FILE</c>, beside it; the default otherwise). tests/backend/placement: a
/// placement file for the app its <c>app: PATH</c> line names, on the default machine's 8 MEs. Each lists the
/// diagnostics it must give in <c>expect: LINE:COL BKnnnn</c> lines (after <c>//</c>, <c>;</c> or <c>#</c>); the
/// full text is the .diagnostics file beside it.
/// </summary>
public class ChipBuildCaseTests
{
    private static readonly string BuildDir = Repo.Path("tests", "backend", "build");
    private static readonly string PlacementDir = Repo.Path("tests", "backend", "placement");
    private static readonly Regex Expect = new(@"^(?://|;|#)\s*expect:\s*(?<line>\d+):(?<col>\d+)\s+(?<code>BK\d{4})\s*$", RegexOptions.Multiline);

    public static TheoryData<string> BuildCases() =>
        new(Directory.GetFiles(BuildDir).Where(f => f.EndsWith(".baker", StringComparison.Ordinal) || f.EndsWith(".ir", StringComparison.Ordinal))
            .Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    public static TheoryData<string> PlacementCases() =>
        new(Directory.GetFiles(PlacementDir, "*.placement").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(BuildCases))]
    public void BuildIsRefusedWithTheExpectedDiagnostics(string name)
    {
        var path = Path.Combine(BuildDir, name);
        var text = File.ReadAllText(path);
        var machine = Header(text, "machine") is { } file ? MachineDescription.Load(Path.Combine(BuildDir, file)) : MachineDescription.Default();
        var options = new ChipBuildOptions { Machine = machine };
        IReadOnlyList<Diagnostic> diags;
        if (name.EndsWith(".ir", StringComparison.Ordinal))
            (_, diags) = ChipBuild.Build(IrParser.Parse(text, path), options);
        else
        {
            var outcome = ChipBuild.Execute([path], new CompileOptions(), options);
            Assert.False(outcome.Compile.HasErrors, string.Join("\n", outcome.Compile.Diagnostics));
            Assert.Null(outcome.Program);
            diags = outcome.Errors;
        }
        Check(path, text, diags);
    }

    [Theory]
    [MemberData(nameof(PlacementCases))]
    public void PlacementIsRefusedWithTheExpectedDiagnostics(string name)
    {
        var path = Path.Combine(PlacementDir, name);
        var text = File.ReadAllText(path);
        var app = Header(text, "app") ?? throw new InvalidOperationException($"{name} names no app ('# app: PATH')");
        var module = Compiled(app);
        var (placement, diags) = Placement.Read(path, module, MachineDescription.Default().Microengines.Count);
        Assert.Null(placement);
        Check(path, text, diags);
    }

    private static void Check(string path, string text, IReadOnlyList<Diagnostic> diags)
    {
        var expected = Expect.Matches(text).Select(m => $"{m.Groups["line"].Value}:{m.Groups["col"].Value} {m.Groups["code"].Value}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        var actual = diags.Select(d => $"{d.Span.Line}:{d.Span.Column} {d.Code}").Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.SequenceEqual(actual), $"expected:\n  {string.Join("\n  ", expected)}\nactual:\n  {string.Join("\n  ", diags)}");
        Assert.All(diags, d => Assert.Equal(Path.GetFileName(path), Path.GetFileName(d.Span.Path)));
        Snapshot.Match(Path.ChangeExtension(path, ".diagnostics"),
            string.Join("\n", diags.Select(d => $"{Path.GetFileName(d.Span.Path)}({d.Span.Line},{d.Span.Column}): error {d.Code}: {d.Message}")));
    }

    private static string? Header(string text, string key) =>
        Regex.Match(text, $@"^(?://|;|#)\s*{key}:\s*(\S+)\s*$", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;

    private static readonly Dictionary<string, IrModule> Modules = [];

    private static IrModule Compiled(string app)
    {
        lock (Modules)
        {
            if (!Modules.TryGetValue(app, out var m))
            {
                var r = Compilation.Compile([Repo.Path(app)], new CompileOptions());
                Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
                Modules[app] = m = r.Module!;
            }
            return m;
        }
    }
}
