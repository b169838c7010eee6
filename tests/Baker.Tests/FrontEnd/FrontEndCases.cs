using System.Text.RegularExpressions;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Driver;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.FrontEnd;

/// <summary>
/// File-based front-end tests. Every program in tests/frontend/valid compiles without a
/// diagnostic. Every program in tests/frontend/errors (a .baker file, or a folder with main.baker)
/// reports exactly the diagnostics its header lists, as lines
/// <c>// expect: [FILE] LINE:COL BKNNNN</c>, and the full text of its diagnostics matches the
/// .diagnostics file beside it.
/// </summary>
public class FrontEndCases
{
    private static readonly string ValidDir = Repo.Path("tests", "frontend", "valid");
    private static readonly string ErrorsDir = Repo.Path("tests", "frontend", "errors");
    private static readonly Regex Expect = new(@"^//\s*expect:\s*(?:(?<file>\S+\.baker)\s+)?(?<line>\d+):(?<col>\d+)\s+(?<code>BK\d{4})\s*$", RegexOptions.Multiline);

    public static TheoryData<string> ValidPrograms() =>
        new(Directory.GetFiles(ValidDir, "*.baker").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    public static TheoryData<string> ErrorPrograms()
    {
        var files = Directory.GetFiles(ErrorsDir, "*.baker").Select(Path.GetFileName)
            .Concat(Directory.GetDirectories(ErrorsDir).Where(d => File.Exists(Path.Combine(d, "main.baker")))
                .Select(d => Path.GetFileName(d) + "/main.baker"));
        return new(files.Order(StringComparer.Ordinal)!);
    }

    [Theory]
    [MemberData(nameof(ValidPrograms))]
    public void ValidProgramCompilesClean(string name)
    {
        var result = Baker.Compiler.Driver.FrontEnd.Check([Path.Combine(ValidDir, name)]);
        Assert.True(result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
        Assert.NotNull(result.Program?.Graph);
    }

    [Theory]
    [MemberData(nameof(ErrorPrograms))]
    public void ErrorProgramReportsExactlyItsExpectations(string name)
    {
        var path = Path.Combine(ErrorsDir, name);
        var result = Baker.Compiler.Driver.FrontEnd.Check([path]);

        var expected = Expect.Matches(File.ReadAllText(path))
            .Select(m => $"{(m.Groups["file"].Success ? m.Groups["file"].Value : Path.GetFileName(path))} {m.Groups["line"].Value}:{m.Groups["col"].Value} {m.Groups["code"].Value}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        var actual = result.Diagnostics
            .Select(d => $"{Path.GetFileName(d.Span.Path)} {d.Span.Line}:{d.Span.Column} {d.Code}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.SequenceEqual(actual),
            $"expected:\n  {string.Join("\n  ", expected)}\nactual:\n  {string.Join("\n  ", result.Diagnostics.Select(Describe))}");

        Snapshot.Match(Path.ChangeExtension(path, ".diagnostics"), string.Join("\n", result.Diagnostics.Select(Describe)));
    }

    /// <summary>A diagnostic with the file name only, so expected files do not depend on where the repository lives.</summary>
    private static string Describe(Diagnostic d) =>
        $"{Path.GetFileName(d.Span.Path)}({d.Span.Line},{d.Span.Column}): {(d.IsError ? "error" : "warning")} {d.Code}: {StripDirs(d.Message)}";

    private static string StripDirs(string message) => Regex.Replace(message, @"(/[^\s(']+/)([^/\s(']+\.baker)", "$2");
}
