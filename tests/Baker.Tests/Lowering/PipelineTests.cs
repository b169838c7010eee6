using Baker.Compiler.Driver;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Lowering;

public class PipelineTests
{
    [Fact]
    public void TheTableKeepsItsOrderingConstraints() => Assert.Empty(Pipeline.CheckOrder());

    [Fact]
    public void PassNamesAreKebabCaseAndUnique()
    {
        Assert.All(Pipeline.Passes, p => Assert.Matches("^[a-z][a-z0-9-]*$", p.Name));
        Assert.Equal(Pipeline.Passes.Count, Pipeline.Passes.Select(p => p.Name).Distinct().Count());
    }

    [Fact]
    public void RequiredPassesCannotBeDisabledAndUnknownNamesAreRejected()
    {
        Assert.Contains(Compilation.CheckOptions(new CompileOptions { Disabled = new HashSet<string> { "lower" } }), p => p.Contains("required"));
        Assert.Contains(Compilation.CheckOptions(new CompileOptions { DumpAfter = new HashSet<string> { "nope" } }), p => p.Contains("unknown pass 'nope'"));
        Assert.Empty(Compilation.CheckOptions(new CompileOptions { Disabled = new HashSet<string> { "simplify-cfg" }, DumpAfter = new HashSet<string> { "all" } }));
    }

    [Fact]
    public void DisablingAnOptionalPassSkipsIt()
    {
        var file = Repo.Path("tests", "frontend", "valid", "mirror.baker");
        var r = Compilation.Compile([file], new CompileOptions { Disabled = new HashSet<string> { "simplify-cfg" }, DumpAfter = new HashSet<string> { "all" } });
        var others = Pipeline.Passes.Select(p => p.Name).Where(n => n != "simplify-cfg").ToList();
        Assert.Equal(others, r.Dumps.Select(d => d.Pass));
        Assert.Equal(others, r.Timings.Select(t => t.Pass));
    }

    [Fact]
    public void AProgramWithErrorsProducesNoIr()
    {
        var r = Compilation.Compile(["bad.baker"], new CompileOptions(), _ => "app a { wiring { rx -> nowhere.in; } }");
        Assert.True(r.HasErrors);
        Assert.Null(r.Module);
    }
}
