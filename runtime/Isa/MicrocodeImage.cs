using Baker.Runtime.Memory;

namespace Baker.Runtime.Isa;

/// <summary>The code of one microengine: instructions, the contexts that start at address 0, and labels for disassembly.</summary>
public sealed class MeCode
{
    public required int Me { get; init; }
    /// <summary>Bit c set = context c starts running at address 0 when the chip starts.</summary>
    public required byte ContextMask { get; init; }
    public required Instruction[] Code { get; init; }
    /// <summary>Labels sorted by address then name.</summary>
    public required IReadOnlyList<Label> Labels { get; init; }
}

public readonly record struct Label(string Name, int Address);

/// <summary>Words (big-endian, as the chip stores them) placed in a memory before the run.</summary>
public sealed record DataInit(MemorySpace Space, uint Address, uint[] Words);

/// <summary>A hardware ring in scratch or SRAM: <paramref name="SizeWords"/> words from byte address <paramref name="Base"/>.</summary>
public sealed record RingDecl(MemorySpace Space, int Id, uint Base, int SizeWords);

/// <summary>
/// A named 32-bit word the run reports in its statistics. A drop counter (<paramref name="Drop"/>) counts
/// packets the microcode dropped for the reason <paramref name="Name"/>: it enters the packet accounting.
/// </summary>
/// <param name="Drop">A count of packets the microcode dropped (<c>.drop</c>), added to the drops by name.</param>
/// <param name="Made">A count of packets the microcode made (<c>.made</c>: created or copied), added to what must be accounted for.</param>
public sealed record CounterDecl(string Name, MemorySpace Space, uint Address, bool Drop = false, bool Made = false);

/// <summary>A loadable image: code for some microengines plus initial data, rings and reported counters.</summary>
public sealed class MicrocodeImage
{
    public List<MeCode> Mes { get; } = [];
    public List<DataInit> Data { get; } = [];
    public List<RingDecl> Rings { get; } = [];
    public List<CounterDecl> Counters { get; } = [];
}
