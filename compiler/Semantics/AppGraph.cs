namespace Baker.Compiler.Semantics;

/// <summary>A PPF instance of the app, named by its path through the module hierarchy (<c>core.fwd.lpm</c>).</summary>
public sealed class PpfInstance(int id, string path, PpfSymbol ppf, InstanceSymbol symbol)
{
    public int Id { get; } = id;
    public string Path { get; } = path;
    public PpfSymbol Ppf { get; } = ppf;
    /// <summary>The declaration of this instance in its module (where instance-level problems are reported).</summary>
    public InstanceSymbol Symbol { get; } = symbol;
    public override string ToString() => Path;
}

/// <summary>
/// One end of a channel of the flattened graph: a PPF instance's endpoint, or the built-in
/// drivers (rx as a source, tx as a target) when <see cref="Instance"/> is null.
/// </summary>
public sealed record ChannelEnd(PpfInstance? Instance, EndpointSymbol? Endpoint)
{
    public bool IsDriver => Instance is null;
    public string Describe(bool source) => Instance is null ? (source ? "rx" : "tx") : $"{Instance.Path}.{Endpoint!.Name}";
}

/// <summary>A channel: a chain of wires through module boundaries, from an output (or rx) to an input (or tx).</summary>
public sealed record Channel(int Id, ChannelEnd From, ChannelEnd To, Wire FirstWire, Wire LastWire)
{
    public override string ToString() => $"{From.Describe(true)} -> {To.Describe(false)}";
}

/// <summary>The app flattened to PPF instances and channels.</summary>
public sealed class AppGraph
{
    public List<PpfInstance> Instances { get; } = new();
    public List<Channel> Channels { get; } = new();
}
