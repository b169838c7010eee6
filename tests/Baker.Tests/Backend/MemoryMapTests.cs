using Baker.Compiler.Backend.Me;

namespace Baker.Tests.Backend;

/// <summary>The runtime's words in SRAM (MemoryMap): each has a place of its own, before the storage objects.</summary>
public class MemoryMapTests
{
    [Fact]
    public void RuntimeWordsDoNotOverlap()
    {
        var map = new MemoryMap([], 0);
        var areas = new (string Name, uint At, uint Bytes)[]
        {
            ("slot table", map.SlotTable, MemoryMap.MaxMes * MemoryMap.Contexts * 4),
            ("drop counters", map.DropCounters, 4 * (uint)ProgramBuilder.DropReasons.Length),
            ("clock epoch", map.ClockEpoch, 8),
            ("made counter", map.MadeCounter, 4),
            ("trace index", map.TraceIndex, 4),
            ("trace lost", map.TraceLost, 4),
            ("guards", map.Guards, 4 * InstructionSelection.GuardWords),
        };
        foreach (var a in areas)
            Assert.True(a.At >= MemoryMap.RuntimeBase && a.At + a.Bytes <= map.ObjectsBase, $"{a.Name} at 0x{a.At:x} is outside the runtime's area");
        for (var i = 0; i < areas.Length; i++)
            for (var j = i + 1; j < areas.Length; j++)
                Assert.True(areas[i].At + areas[i].Bytes <= areas[j].At || areas[j].At + areas[j].Bytes <= areas[i].At,
                    $"{areas[i].Name} (0x{areas[i].At:x}, {areas[i].Bytes} bytes) and {areas[j].Name} (0x{areas[j].At:x}, {areas[j].Bytes} bytes) overlap");
    }
}
