using Baker.Runtime.Machine;

namespace Baker.Runtime.Memory;

/// <summary>
/// Timing of one memory controller (scratch, SRAM, DRAM or the hash unit) as a single FIFO server.
/// A reference of B bytes (rounded up to unitBytes) occupies the controller for
/// commandOverheadCycles + ceil(B / bytesPerCycle) cycles from the moment it is free; the completion
/// signal fires latencyCycles after service starts. References are issued in global time order (the
/// chip's scheduler guarantees it), so the completion of each is known when it is issued: no per-cycle
/// polling. Queueing delay (start - issue) is zero on an idle controller and grows once threads issue
/// faster than the occupancy allows: that is the saturation the seeds measured on the IXP2400.
/// </summary>
public sealed class MemoryUnit
{
    private readonly int _latency;
    private readonly double _bytesPerCycle;
    private readonly int _overhead;
    private readonly int _unit;
    private long _nextFree;

    public string Name { get; }
    /// <summary>Cycles from the start of service to the completion signal.</summary>
    public int LatencyCycles => _latency;
    public long References { get; private set; }
    public long Bytes { get; private set; }
    public long QueueDelayTotal { get; private set; }
    public long QueueDelayMax { get; private set; }
    public long BusyCycles { get; private set; }

    public MemoryUnit(string name, MemoryUnitParams p)
    {
        Name = name;
        _latency = p.LatencyCycles;
        _bytesPerCycle = p.BytesPerCycle;
        _overhead = p.CommandOverheadCycles;
        _unit = Math.Max(1, p.UnitBytes);
    }

    /// <summary>Queue a reference of <paramref name="bytes"/> at cycle <paramref name="now"/>; returns the cycle its signal fires.</summary>
    public long Issue(long now, int bytes)
    {
        var rounded = (bytes + _unit - 1) / _unit * _unit;
        var start = now > _nextFree ? now : _nextFree;
        var occupancy = _overhead + (long)Math.Ceiling(rounded / _bytesPerCycle);
        _nextFree = start + occupancy;
        var delay = start - now;
        References++;
        Bytes += rounded;
        QueueDelayTotal += delay;
        if (delay > QueueDelayMax) QueueDelayMax = delay;
        BusyCycles += occupancy;
        return start + _latency;
    }
}
