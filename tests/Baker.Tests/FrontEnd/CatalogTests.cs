using System.Reflection;
using Baker.Compiler.Diagnostics;

namespace Baker.Tests.FrontEnd;

public class CatalogTests
{
    private static List<DiagnosticDescriptor> All() =>
        typeof(DiagnosticCatalog).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!).ToList();

    [Fact]
    public void CodesAreUniqueAndInTheirStageRanges()
    {
        var all = All();
        Assert.Equal(all.Count, all.Select(d => d.Code).Distinct().Count());
        Assert.All(all, d => Assert.Matches(@"^BK[1-69]\d{3}$", d.Code));
    }

    [Fact]
    public void EveryCodeIsExercisedByAnErrorCase()
    {
        var cases = Directory.GetFiles(Infrastructure.Repo.Path("tests", "frontend", "errors"), "*.baker", SearchOption.AllDirectories)
            .Select(File.ReadAllText).ToList();
        // BK1011 (unreadable root file) is covered by the command-line tests; BK9001 (a compiler
        // crash) must never appear: the fuzz test asserts so.
        var untested = All().Where(d => d.Code is not ("BK1011" or "BK9001") && !cases.Any(c => c.Contains(d.Code))).Select(d => d.Code).ToList();
        Assert.True(untested.Count == 0, "no error case for: " + string.Join(", ", untested));
    }
}
