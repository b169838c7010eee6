using System.Text.Json;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>
/// Control lines during a chip run (issue 6): @time lines run as control-core tasks at their trace times and
/// @end lines after the traffic, against state the microengines update, so the run gives the interpreter's
/// frames, drops and control log; the control core invalidates what it reads and cleans what it writes, so
/// the coherence checker finds no stale read.
/// </summary>
public class ChipControlTests
{
    [Fact]
    public void TimedLinesChangeTheRunAsOnTheInterpreter()
    {
        var chip = ChipDifferentialTests.Compare("tests/backend/control/steer.baker",
            ["0=samples/firewall/traces/changes_p0.pcap", "1=samples/firewall/traces/changes_p1.pcap"], "tests/backend/control/steer.ctl");
        Assert.Empty(chip.StaleReads);
        var core = JsonDocument.Parse(chip.Summary!.StatsJson).RootElement.GetProperty("controlCore");
        Assert.Empty(core.GetProperty("staleReads").EnumerateArray());
        // Every line ran on the control core, and the coherence path was taken both ways.
        Assert.Equal(17, core.GetProperty("tasks").GetInt64());
        Assert.True(core.GetProperty("linesInvalidated").GetInt64() > 0, "the control core invalidated nothing before reading");
        Assert.True(core.GetProperty("linesCleaned").GetInt64() > 0, "the control core cleaned nothing after writing");
        // The inputs are played at their own timestamps: the control times are trace times.
        Assert.Equal("trace", JsonDocument.Parse(chip.Summary.StatsJson).RootElement.GetProperty("input").GetProperty("timing").GetString());
    }
}
