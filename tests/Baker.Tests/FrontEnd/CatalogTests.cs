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
        // Back-end codes (BK52xx): IR cases in tests/backend/errors, and the list of what the back end does not translate yet.
        cases.AddRange(Directory.GetFiles(Infrastructure.Repo.Path("tests", "backend"), "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        // BK1011 (unreadable root file) and BK5306 (unreadable placement file) are covered by the
        // command-line tests; BK9001 (a compiler crash) must never appear: the fuzz test asserts so.
        // BK6xxx (run time) codes are covered by the control cases below.
        var untested = All().Where(d => d.Code is not ("BK1011" or "BK5306" or "BK9001") && !d.Code.StartsWith("BK6", StringComparison.Ordinal)
            && !cases.Any(c => c.Contains(d.Code))).Select(d => d.Code).ToList();
        Assert.True(untested.Count == 0, "no error case for: " + string.Join(", ", untested));
    }

    [Fact]
    public void EveryRunTimeCodeIsExercisedByAControlCase()
    {
        var cases = Directory.GetFiles(Infrastructure.Repo.Path("tests", "control"), "*.ctl", SearchOption.AllDirectories)
            .Select(File.ReadAllText).ToList();
        // BK6006 (a bad trace) and BK6007 (an unreadable script) concern files a script cannot show: the
        // trace-input and control-script unit tests cover them.
        var untested = All().Where(d => d.Code.StartsWith("BK6", StringComparison.Ordinal) && d.Code is not ("BK6006" or "BK6007")
            && !cases.Any(c => c.Contains(d.Code))).Select(d => d.Code).ToList();
        Assert.True(untested.Count == 0, "no control case for: " + string.Join(", ", untested));
    }
}
