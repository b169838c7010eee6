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

    [Fact]
    public void WithPortsKeepsTheFirstPortsOrAddsTransmitRingsAfterTheLast()
    {
        var m = MachineDescription.Default();
        var one = m.WithPorts(1);
        Assert.Single(one.Ports);
        Assert.Equal(["rx", "tx0", "freelist"], one.Rings.Select(r => r.Name));
        Assert.Equal(3, m.Ports.Count);

        var five = m.WithPorts(5);
        Assert.Equal([1, 2, 3, 4, 5], five.Ports.Select(p => p.TxRing));
        Assert.All(five.Ports, p => Assert.Equal((1_000_000_000L, Memory.MemorySpace.Scratch), (p.BitsPerSecond, p.TxRingSpace)));
        var added = five.Rings.Where(r => r.Name is "tx3" or "tx4").Select(r => (r.Id, r.Base, r.SizeWords));
        Assert.Equal([(4, 5120u, 256), (5, 6144u, 256)], added);
        var chip = new Chip(five);
        Assert.Equal(5, chip.Ports.Count);
        Assert.NotNull(chip.Ring(Memory.MemorySpace.Scratch, 5));

        Assert.Throws<MachineDescriptionException>(() => m.WithPorts(0));
        // Scratch (16 KB) has room for 11 more rings of 1 KB after the first 5 KB.
        Assert.Equal(14, m.WithPorts(14).Ports.Count);
        var e = Assert.Throws<MachineDescriptionException>(() => m.WithPorts(15));
        Assert.Contains("does not fit", e.Message);
    }
}
