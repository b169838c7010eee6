using System.Text.RegularExpressions;
using Baker.Compiler.Backend.Me;
using Baker.Compiler.Driver;
using Baker.Runtime.Machine;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>
/// The assembler's <c>.equ</c> names are image-wide and the last definition wins, while each ME's program places the
/// frames of a helper it shares with another ME at its own offsets. A built program must therefore never define one
/// name with two values: each sample app, built with the default placement on 8 MEs (the NAT's and the L3 switch's
/// helpers run on several), defines every constant once or with one value.
/// </summary>
public class ProgramConstantsTests
{
    [Theory]
    [InlineData("firewall")]
    [InlineData("l3_switch")]
    [InlineData("mpls")]
    [InlineData("nat")]
    public void NoConstantHasTwoValues(string sample)
    {
        var build = Build(sample);
        var clashes = Regex.Matches(build.Assembly, @"^\.equ (\S+) = (.+)$", RegexOptions.Multiline)
            .GroupBy(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim())
            .Where(g => g.Distinct().Count() > 1)
            .Select(g => $"{g.Key} = {string.Join(" | ", g.Distinct())}").ToList();
        Assert.True(clashes.Count == 0, "constants with two values:\n" + string.Join("\n", clashes));
    }

    /// <summary>
    /// What the check above catches: a helper called on two MEs has its frames at different offsets on each. (The
    /// samples' shared helpers no longer need frames: their callers keep values in registers the helpers leave
    /// alone. tests/interp/apps/shared_frames.baker's helper has a local array, a slot frame.)
    /// </summary>
    [Fact]
    public void SharedHelpersLieAtDifferentOffsets()
    {
        var build = BuildFile(Repo.Path("tests", "interp", "apps", "shared_frames.baker"));
        var helper = build.PerMe.Values.SelectMany(p => p.Functions).Where(f => f.Name == "helper").ToList();
        Assert.Equal(2, helper.Count);
        Assert.All(helper, f => Assert.True(f.SlotBytes > 0));
        Assert.True(helper.Select(f => f.SlotOffset).Distinct().Count() > 1);
    }

    private static MeBuild Build(string sample) => BuildFile(Samples.SampleRuns.Entry(sample));

    private static MeBuild BuildFile(string path)
    {
        var r = Compilation.Compile([path], new CompileOptions());
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var module = r.Module!;
        var (build, diags) = ProgramBuilder.Build(module, MachineDescription.Default(), Placement.Default(module, 8));
        Assert.True(build is not null, string.Join("\n", diags));
        return build;
    }
}
