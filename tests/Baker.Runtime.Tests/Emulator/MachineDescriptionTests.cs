using Baker.Runtime.Machine;

namespace Baker.Runtime.Tests.Emulator;

public class MachineDescriptionTests
{
    [Fact]
    public void DefaultShipsWithTheDesignTableFigures()
    {
        var m = MachineDescription.Default();
        Assert.Equal(600_000_000, m.ClockHz);
        Assert.Equal(8, m.Microengines.Count);
        Assert.Equal(8, m.Microengines.ThreadsPerMe);
        Assert.Equal(4096, m.Microengines.ControlStoreSize);
        Assert.Equal(640, m.Microengines.LocalMemoryWords);
        Assert.Equal((16384L, 60), (m.Scratch.SizeBytes, m.Scratch.LatencyCycles));
        Assert.Equal((8L << 20, 90), (m.Sram.SizeBytes, m.Sram.LatencyCycles));
        Assert.Equal((64L << 20, 120, 8), (m.Dram.SizeBytes, m.Dram.LatencyCycles, m.Dram.UnitBytes));
        Assert.Equal(3, m.Ports.Count);
        Assert.All(m.Ports, p => Assert.Equal(1_000_000_000, p.BitsPerSecond));
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "Machine", "ixp2400.json")));
    }

    [Fact]
    public void JsonRoundTripsAndRejectsUnknownOrBadFields()
    {
        var m = MachineDescription.Default();
        m.Dram.LatencyCycles = 321;
        var back = MachineDescription.Parse(m.ToJson(), "x.json");
        Assert.Equal(321, back.Dram.LatencyCycles);
        var e = Assert.Throws<MachineDescriptionException>(() => MachineDescription.Parse("{\"clockHz\": 5, \"bogus\": 1}", "bad.json"));
        Assert.StartsWith("bad.json:", e.Message);
        e = Assert.Throws<MachineDescriptionException>(() => MachineDescription.Parse("{\"microengines\": {\"threadsPerMe\": 9}}", "bad.json"));
        Assert.Contains("threadsPerMe must be 1..8", e.Message);
    }
}
