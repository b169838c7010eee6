using System.Text.Json;
using System.Text.Json.Serialization;

namespace Baker.Compiler.Profiling;

public sealed record FunctionProfile(string? Instance, long[] Blocks);
public sealed record InstanceProfile(long Invocations, long Ops, double OpsPerPacket);
public sealed record ChannelProfile(int Id, string From, string To, long Packets);
public sealed record ObjectProfile(SortedDictionary<string, long> Reads, SortedDictionary<string, long> Writes);

/// <summary>
/// A profile of one interpreter run over a trace, saved as versioned JSON for later passes
/// (partitioning, memory mapping, caching) to read. Block counts are indexed by block position
/// in the function as printed after the pass the profile was taken at.
/// </summary>
public sealed class Profile
{
    public const int CurrentVersion = 1;
    /// <summary>The pseudo-instance that init and control code is counted under.</summary>
    public const string ControlPlane = "(control)";

    public int Version { get; set; } = CurrentVersion;
    public string App { get; set; } = "";
    /// <summary>Packets received from the trace.</summary>
    public long Packets { get; set; }
    public SortedDictionary<string, FunctionProfile> Functions { get; set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, InstanceProfile> Instances { get; set; } = new(StringComparer.Ordinal);
    public List<ChannelProfile> Channels { get; set; } = new();
    public SortedDictionary<string, ObjectProfile> Objects { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Header-field and byte accesses made while one received packet was processed → how many packets made that many.</summary>
    public SortedDictionary<long, long> FieldAccessesPerPacket { get; set; } = new();

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a profile; a wrong version or malformed text is an <see cref="InvalidDataException"/> with a clear message.</summary>
    public static Profile FromJson(string text, string name)
    {
        Profile? p;
        try { p = JsonSerializer.Deserialize<Profile>(text, Json); }
        catch (JsonException e) { throw new InvalidDataException($"{name}: not a bakerc profile ({e.Message})"); }
        if (p is null) throw new InvalidDataException($"{name}: empty profile");
        if (p.Version != CurrentVersion)
            throw new InvalidDataException($"{name}: profile version {p.Version}, this bakerc reads version {CurrentVersion}; profile the app again");
        return p;
    }
}
