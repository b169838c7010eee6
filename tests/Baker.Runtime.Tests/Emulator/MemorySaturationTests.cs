using System.Text;
using Baker.Runtime.Machine;

namespace Baker.Runtime.Tests.Emulator;

/// <summary>
/// Threads that do nothing but 64-byte DRAM reads: throughput grows with threads until the DRAM
/// controller (2 + 64/4 = 18 cycles per reference) is saturated, then stays flat while queueing grows.
/// </summary>
public class MemorySaturationTests
{
    private static (double perCycle, double meanQueue) Measure(int threads)
    {
        var sb = new StringBuilder();
        for (var me = 0; me * 8 < threads; me++)
        {
            var n = Math.Min(8, threads - me * 8);
            sb.Append($".me {me}\n.ctx 0-{n - 1}\n");
            sb.Append("    immed[a0, 0x8000]\nloop:\n    dram[read, $$0, a0, 0, 8], ctx_swap[1]\n    br[loop]\n");
        }
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(sb.ToString()));
        const long cycles = 200_000;
        chip.Run(cycles);
        var u = chip.DramUnit;
        return ((double)u.References / cycles, (double)u.QueueDelayTotal / u.References);
    }

    [Fact]
    public void AddingThreadsStopsIncreasingThroughputOnceDramSaturates()
    {
        var r = new[] { 1, 2, 4, 8, 16, 32 }.ToDictionary(n => n, Measure);
        // Below saturation, doubling threads nearly doubles throughput.
        Assert.True(r[2].perCycle > 1.9 * r[1].perCycle, $"2 threads: {r[2].perCycle} vs {r[1].perCycle}");
        Assert.True(r[4].perCycle > 1.9 * r[2].perCycle, $"4 threads: {r[4].perCycle} vs {r[2].perCycle}");
        // At and past saturation: bounded by 1/18 references per cycle and flat.
        const double bound = 1.0 / 18;
        foreach (var n in new[] { 8, 16, 32 }) Assert.InRange(r[n].perCycle, 0.97 * bound, 1.01 * bound); // references queued at the end count too
        Assert.True(r[32].perCycle < 1.01 * r[8].perCycle);
        // Latency seen by each thread grows instead: queueing delay rises with threads.
        Assert.True(r[1].meanQueue < 1);
        Assert.True(r[32].meanQueue > 4 * r[16].meanQueue / 2 && r[32].meanQueue > r[8].meanQueue * 3,
            $"queueing 8: {r[8].meanQueue}, 16: {r[16].meanQueue}, 32: {r[32].meanQueue}");
    }
}
