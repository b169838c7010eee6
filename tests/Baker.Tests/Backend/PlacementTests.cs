using Baker.Compiler.Backend.Me;
using Baker.Compiler.Driver;
using Baker.Compiler.IR;
using Baker.Runtime.Machine;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>The placement of PPF instances on MEs: the default, its text form, and the build following it (refusals are ChipBuildCaseTests).</summary>
public class PlacementTests
{
    private static IrModule Pipeline()
    {
        var r = Compilation.Compile([Repo.Path("tests", "interp", "apps", "pipeline.baker")], new CompileOptions());
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        return r.Module!;
    }

    [Fact]
    public void DefaultPutsInstanceKOnMeKWhenThereAreMesEnough()
    {
        var m = Pipeline();
        var p = Placement.Default(m, 4);
        Assert.Equal(["core.cls", "core.a", "core.b", "core.m"], m.Instances.Select(i => i.Path));
        Assert.Equal([0, 1, 2, 3], m.Instances.Select(i => p.MeOf[i.Path]));
    }

    /// <summary>Sharing MEs, the largest instances stay alone: the NAT's router.nat.napt (most of a control store) gets an ME to itself.</summary>
    [Fact]
    public void DefaultSharingLeavesTheLargestAlone()
    {
        var r = Compilation.Compile([Samples.SampleRuns.Entry("nat")], new CompileOptions());
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var m = r.Module!;
        Assert.True(m.Instances.Count > 8);
        var p = Placement.Default(m, 8);
        Assert.Equal(["router.nat.napt"], p.On(m, p.MeOf["router.nat.napt"]));
        Assert.Equal(8, p.Mes.Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void TextFormParsesBackToTheSamePlacement(int mes)
    {
        var m = Pipeline();
        var placement = Placement.Default(m, mes);
        var text = placement.Write(m);
        var (back, diags) = Placement.Parse(text, "placement.txt", m, 8);
        Assert.Empty(diags);
        Assert.Equal(placement.MeOf.OrderBy(x => x.Key), back!.MeOf.OrderBy(x => x.Key));
        Assert.Equal(text, back.Write(m));
    }

    [Fact]
    public void HandWrittenPlacementTakesAnyOrderSpacingAndComments()
    {
        var m = Pipeline();
        var (placement, diags) = Placement.Parse("# two aggregates\ncore.m -> me 5\n  core.a->me 2  # stage a\ncore.b -> me 2\n\ncore.cls   ->   me 5\n", "p.txt", m, 8);
        Assert.Empty(diags);
        Assert.Equal([2, 5], placement!.Mes);
        Assert.Equal(["core.a", "core.b"], placement.On(m, 2));
        Assert.Equal(["core.cls", "core.m"], placement.On(m, 5));
    }

    [Fact]
    public void BuildPutsEachAggregateOnItsMe()
    {
        var dir = Directory.CreateTempSubdirectory("baker-placement").FullName;
        var file = Path.Combine(dir, "p.txt");
        File.WriteAllText(file, "fw.parse -> me 6\nfw.cache -> me 6\nfw.policy -> me 1\nfw.wire -> me 6\n");
        var outcome = ChipBuild.Execute([Repo.Path("samples", "firewall", "firewall.baker")], new CompileOptions(), new ChipBuildOptions { PlacementFile = file });
        Assert.True(outcome.Errors.Count == 0, string.Join("\n", outcome.Errors));
        var program = outcome.Program!;
        Assert.Equal([1, 6], program.Image.Mes.Select(c => c.Me));
        Assert.Equal([1, 6], program.Build.PerMe.Keys.Order());
        // Each ME compiles the process functions of its own instances, and only those.
        var processes = program.Build.PerMe.ToDictionary(kv => kv.Key, kv => kv.Value.Functions.Where(f => f.Name.Contains(".process.")).Select(f => f.Name.Split(".process.")[0]).Distinct().Order().ToList());
        Assert.Equal(["fw.policy"], processes[1]);
        Assert.Equal(["fw.cache", "fw.parse", "fw.wire"], processes[6]);
        Assert.Contains("ME 6 runs fw.parse, fw.cache, fw.wire", program.Report());
    }

    [Fact]
    public void DefaultPlacementUsesAtMostTheMesAsked()
    {
        var outcome = ChipBuild.Execute([Repo.Path("samples", "firewall", "firewall.baker")], new CompileOptions(), new ChipBuildOptions { Mes = 2 });
        Assert.Empty(outcome.Errors);
        Assert.Equal([0, 1], outcome.Program!.Image.Mes.Select(c => c.Me));
        // Largest first, each to the ME with the least code: fw.parse (the largest) and fw.wire (the smallest) share.
        Assert.Equal(["fw.parse", "fw.wire"], outcome.Program.Placement.On(outcome.Program.Module, 0));
        var machine = MachineDescription.Default();
        machine.Microengines.Count = 2;
        outcome = ChipBuild.Execute([Repo.Path("samples", "firewall", "firewall.baker")], new CompileOptions(), new ChipBuildOptions { Machine = machine });
        Assert.Equal([0, 1], outcome.Program!.Image.Mes.Select(c => c.Me));
    }
}
