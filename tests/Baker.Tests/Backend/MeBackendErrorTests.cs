using System.Text.RegularExpressions;
using Baker.Compiler.Backend.Me;
using Baker.Compiler.IR;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>IR programs the microengine back end must refuse: each lists the codes it expects in '; expect: BKnnnn' lines.</summary>
public class MeBackendErrorTests
{
    private static readonly string Dir = Repo.Path("tests", "backend", "errors");

    public static TheoryData<string> Files() => new(Directory.GetFiles(Dir, "*.ir").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Files))]
    public void IsRefusedWithTheExpectedDiagnostics(string name)
    {
        var text = File.ReadAllText(Path.Combine(Dir, name));
        var module = IrParser.Parse(text, name);
        var expected = Regex.Matches(text, @"^; expect: (BK\d{4})", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(expected);
        var (code, diags) = MeBackend.Compile(module.Functions);
        Assert.Null(code);
        Assert.Equal(expected, diags.Select(d => d.Code).ToList());
        Assert.All(diags, d => Assert.Contains(name, d.ToString()));
    }
}
