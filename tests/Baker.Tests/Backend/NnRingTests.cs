using Baker.Compiler.Backend.Me;
using Baker.Compiler.Driver;
using Baker.Runtime.Machine;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>
/// Channels between adjacent MEs become next-neighbor rings (compiler/docs/me-backend.md, "Program"): which ones the
/// firewall's default placement gives, the build report's account of them, where the placement does not allow one,
/// and a saturated run through NN rings of two entries (back-pressure: a full ring holds the put, never faults).
/// </summary>
public class NnRingTests
{
    private static readonly string Firewall = Repo.Path("samples", "firewall", "firewall.baker");

    private static ChipProgram Build(ChipBuildOptions options) => ChipBuild.Execute([Firewall], new CompileOptions(), options).Program!;

    [Fact]
    public void TheFirewallsChannelsToTheNextMeThatFeedAnInputAloneBecomeNnRings()
    {
        // Default placement: parse on ME 0, cache on 1, policy on 2, wire on 3. parse.out is cache.in's only channel;
        // cache.miss is policy.classify's. policy.apply has two channels (hit, learned), wire.in two, cache.learn comes
        // from ME 2 back to ME 1: scratch rings.
        var program = Build(new ChipBuildOptions());
        Assert.Equal(new Dictionary<string, int> { ["fw.cache.in"] = 1, ["fw.policy.classify"] = 2 }.OrderBy(x => x.Key), program.Build.NnInputs.OrderBy(x => x.Key));
        Assert.DoesNotContain("fw.cache.in", program.Build.InputRings.Keys);
        Assert.Contains("fw.policy.apply", program.Build.InputRings.Keys);
        var report = program.Report();
        Assert.Matches(@"(?m)^  fw\.parse\.out -> fw\.cache\.in +next-neighbor ring, ME 0 -> ME 1$", report);
        Assert.Matches(@"(?m)^  fw\.cache\.miss -> fw\.policy\.classify +next-neighbor ring, ME 1 -> ME 2$", report);
        Assert.Matches(@"(?m)^  fw\.cache\.hit -> fw\.policy\.apply +scratch ring \d+$", report);
        Assert.Matches(@"(?m)^  fw\.policy\.learn -> fw\.cache\.learn +scratch ring \d+$", report);
        Assert.Contains($".equ OUT_fw_parse_out = {InstructionSelection.NnEndpoint}\n", program.Build.Assembly);
        Assert.Contains("local_csr_wr[nn_wait, ", program.Build.Assembly);
    }

    [Fact]
    public void NoNnRingWhereThePlacementDoesNotAllowOne()
    {
        // One ME: everything on ME 0, its own neighbour.
        Assert.Empty(Build(new ChipBuildOptions { Mes = 1 }).Build.NnInputs);
        // parse on ME 1 feeds cache on ME 0 (the previous ME, not the next); cache on ME 0 feeds policy on ME 2.
        var file = Path.Combine(Path.GetTempPath(), "baker-nn-" + Guid.NewGuid().ToString("N") + ".txt");
        try
        {
            File.WriteAllText(file, "fw.parse -> me 1\nfw.cache -> me 0\nfw.policy -> me 2\nfw.wire -> me 3\n");
            var program = Build(new ChipBuildOptions { PlacementFile = file });
            Assert.Empty(program.Build.NnInputs);
            Assert.DoesNotContain("next-neighbor", program.Report());
            Assert.DoesNotContain("nn_wait", program.Build.Assembly);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ASaturatedRunThroughNnRingsOfTwoEntriesAgreesWithTheInterpreter()
    {
        // The L3 switch's saturation trace (as ChipDifferentialTests plays it) with NN rings of two entries: the
        // producers find them full and must wait (br_state[nn_full]) rather than push.
        var e = Samples.SampleRuns.Expected.Parse(Path.Combine(Samples.SampleRuns.Dir("l3_switch"), "expected", "sat64.txt"));
        // The ports the run's expected outputs use (as ChipDifferentialTests.MachineFor gives it).
        var machine = MachineDescription.Default().WithPorts(e.Out.Keys.Max() + 1);
        machine.Microengines.NnRingSize = 2;
        var chip = ChipDifferentialTests.Compare(new RunRequest([Samples.SampleRuns.Entry("l3_switch")], e.Traces, e.Control, new CompileOptions()),
            new ChipRunOptions { Machine = machine, Traffic = new() { Timing = Baker.Runtime.Ports.InputTiming.Saturate } });
        Assert.NotEmpty(chip.Build!.NnInputs);
    }
}
