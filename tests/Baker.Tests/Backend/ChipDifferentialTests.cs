using System.Text.Json;
using Baker.Compiler.Driver;
using Baker.Runtime.Pcap;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>
/// Apps compiled to microcode and run on the emulated chip against the reference interpreter: per output
/// port the same multiset of frames, and the same drops by reason (issue 6's differential check; per-flow
/// order is not guaranteed yet because many threads process one input ring).
/// </summary>
public class ChipDifferentialTests
{
    public static TheoryData<string, string[], string?> Cases => new()
    {
        { "samples/firewall/firewall.baker", ["0=samples/firewall/traces/rules_p0.pcap", "1=samples/firewall/traces/rules_p1.pcap"], "samples/firewall/firewall.ctl" },
        { "samples/firewall/firewall.baker", ["0=samples/firewall/traces/malformed.pcap"], "samples/firewall/firewall.ctl" },
        { "tests/interp/apps/fields.baker", ["0=samples/firewall/traces/rules_p0.pcap"], null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ChipAgreesWithTheInterpreter(string app, string[] traces, string? control)
    {
        var request = new RunRequest([Repo.Path(app)], traces.Select(t => t[..2] + Repo.Path(t[2..])).ToList(),
            control is null ? null : Repo.Path(control), new CompileOptions());
        var reference = InterpreterRun.Execute(request).Run!;
        var dir = Path.Combine(Path.GetTempPath(), "baker-chip-" + Guid.NewGuid().ToString("N"));
        try
        {
            var chip = ChipRun.Execute(request, new ChipRunOptions(), dir);
            Assert.True(chip.Errors.Count == 0, string.Join("\n", chip.Errors));
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
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
