using System.Buffers.Binary;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Interpreter;
using Baker.Runtime.Pcap;

namespace Baker.Tests.Interpreter;

/// <summary>Loading and merging receive traces: ports from N= prefixes and pcapng interfaces, and the errors.</summary>
public sealed class TraceInputTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("baker-trace-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A classic pcap of one-byte frames whose byte is the frame's tag.</summary>
    private string Pcap(string name, params (long Ns, byte Tag)[] frames)
    {
        var path = Path.Combine(dir, name);
        using var w = new PcapWriter(path);
        foreach (var (ns, tag) in frames) w.Write(ns, [tag], 60);
        return path;
    }

    /// <summary>A little-endian pcapng with <paramref name="interfaces"/> microsecond interfaces and one-byte frames.</summary>
    private string Pcapng(string name, int interfaces, params (int Interface, long Us, byte Tag)[] frames)
    {
        var bytes = new List<byte>();
        void Block(uint type, params uint[] body)
        {
            var len = (uint)(12 + 4 * body.Length);
            foreach (var word in (uint[])[type, len, .. body, len])
            {
                var b = new byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(b, word);
                bytes.AddRange(b);
            }
        }
        Block(0x0A0D0D0A, 0x1A2B3C4D, 1, 0xFFFFFFFF, 0xFFFFFFFF);            // section header, version 1.0, unknown length
        for (var i = 0; i < interfaces; i++) Block(1, 1, 65535);               // Ethernet, snap length 65535
        foreach (var (iface, us, tag) in frames)
            Block(6, (uint)iface, (uint)((ulong)us >> 32), (uint)us, 1, 60, tag);   // the byte, padded to a word
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }

    private static string Describe(IEnumerable<InputFrame> frames) =>
        string.Join(" ", frames.Select(f => $"{f.TimestampNs}:{f.Port}:{f.Data[0]}"));

    [Fact]
    public void MergesTwoFilesOnTwoPortsByTime()
    {
        var a = Pcap("a.pcap", (100, 1), (300, 2), (500, 3));
        var b = Pcap("b.pcap", (200, 11), (300, 12), (400, 13));
        var frames = TraceInput.Load(["1=" + a, "2=" + b]);
        Assert.Equal("100:1:1 200:2:11 300:1:2 300:2:12 400:2:13 500:1:3", Describe(frames));
        Assert.Equal([a, b, a, b, b, a], frames.Select(f => f.Source));
        Assert.All(frames, f => Assert.Equal((1, 60), (f.Data.Length, f.OriginalLength)));

        // A tie keeps the order of the specs.
        Assert.Equal("100:1:1 200:2:11 300:2:12 300:1:2 400:2:13 500:1:3", Describe(TraceInput.Load(["2=" + b, "1=" + a])));
    }

    [Fact]
    public void TiesWithinAFileKeepFileOrderAndFilesAreSortedByTime()
    {
        var a = Pcap("a.pcap", (50, 1), (50, 2), (10, 3), (50, 4));
        Assert.Equal("10:0:3 50:0:1 50:0:2 50:0:4", Describe(TraceInput.Load([a])));
    }

    [Fact]
    public void APlainFileIsOnPortZeroAndTheSameFileMayComeTwice()
    {
        var a = Pcap("a.pcap", (1_000_000_000, 7));
        var frames = TraceInput.Load([a, "255=" + a, "007=" + a]);
        Assert.Equal("1000000000:0:7 1000000000:255:7 1000000000:7:7", Describe(frames));
    }

    [Fact]
    public void NoSpecsGiveNoFrames() => Assert.Empty(TraceInput.Load([]));

    [Fact]
    public void PcapngInterfacesArePorts()
    {
        var ng = Pcapng("three.pcapng", 3, (2, 5, 1), (0, 3, 2), (1, 4, 3), (2, 1, 4));
        Assert.Equal("1000:2:4 3000:0:2 4000:1:3 5000:2:1", Describe(TraceInput.Load([ng])));
        // A port prefix puts every interface on that port.
        Assert.Equal("1000:9:4 3000:9:2 4000:9:3 5000:9:1", Describe(TraceInput.Load(["9=" + ng])));
    }

    [Fact]
    public void PcapngInterfaceAbove255NeedsAPort()
    {
        var ng = Pcapng("many.pcapng", 257, (255, 1, 1), (256, 2, 2));
        var e = Assert.Throws<TraceInputException>(() => TraceInput.Load([ng]));
        Assert.Equal($"trace file '{ng}' has a frame on pcapng interface 256, but ports are 0..255; give the file a port as N={ng}", e.Message);
        Assert.Equal("1000:4:1 2000:4:2", Describe(TraceInput.Load(["4=" + ng])));
    }

    [Fact]
    public void ACorruptCaptureNamesTheFileAndTheOffset()
    {
        var a = Pcap("cut.pcap", (1, 1), (2, 2));
        var bytes = File.ReadAllBytes(a);
        File.WriteAllBytes(a, bytes[..^1]);            // the second record loses its byte: its data start at 24 + 17 + 16
        var e = Assert.Throws<TraceInputException>(() => TraceInput.Load([Pcap("fine.pcap", (1, 1)), a]));
        Assert.Equal($"corrupt trace file: {a}: truncated frame at byte offset 57: record says 1 bytes, file has 0", e.Message);

        // The run reports it as BK6006.
        var d = DiagnosticCatalog.TraceFileProblem.At(new SourceSpan(a, 0, 0, 0, 0), e.Message);
        Assert.Equal("BK6006", d.Code);
        Assert.StartsWith($"bad trace input: corrupt trace file: {a}: truncated frame at byte offset 57", d.Message);

        File.WriteAllBytes(a, bytes[..30]);             // inside the first record header
        e = Assert.Throws<TraceInputException>(() => TraceInput.Load([a]));
        Assert.Contains("truncated record header at byte offset 24", e.Message);
        Assert.DoesNotContain("   at ", e.Message);

        File.WriteAllBytes(a, [1, 2, 3, 4, 5, 6, 7, 8]);
        e = Assert.Throws<TraceInputException>(() => TraceInput.Load([a]));
        Assert.Contains("unknown capture magic 0x04030201 at byte offset 0", e.Message);
    }

    [Fact]
    public void ACorruptPcapngNamesTheOffset()
    {
        var ng = Pcapng("bad.pcapng", 1, (0, 1, 1));
        var bytes = File.ReadAllBytes(ng);
        File.WriteAllBytes(ng, bytes[..^4]);           // the packet block (at 28 + 20) loses its trailing length
        var e = Assert.Throws<TraceInputException>(() => TraceInput.Load([ng]));
        Assert.StartsWith($"corrupt trace file: {ng}: pcapng block at byte offset 48 has bad length 36", e.Message);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        var missing = Path.Combine(dir, "nope.pcap");
        var e = Assert.Throws<TraceInputException>(() => TraceInput.Load(["3=" + missing]));
        Assert.Equal($"trace file '{missing}' was not found", e.Message);
        e = Assert.Throws<TraceInputException>(() => TraceInput.Load([Path.Combine(dir, "no-dir", "x.pcap")]));
        Assert.EndsWith("was not found", e.Message);
    }

    [Fact]
    public void ADirectoryCannotBeRead()
    {
        var e = Assert.Throws<TraceInputException>(() => TraceInput.Load([dir]));
        Assert.StartsWith($"cannot read trace file '{dir}': ", e.Message);
    }

    [Theory]
    [InlineData("256")]
    [InlineData("1000")]
    [InlineData("99999999999999999999")]
    public void APortOutOfRangeIsRejected(string port)
    {
        var a = Pcap("a.pcap", (1, 1));
        var e = Assert.Throws<TraceInputException>(() => TraceInput.Load([$"{port}={a}"]));
        Assert.Equal($"trace input '{port}={a}': port {port} is out of range; ports are 0..255", e.Message);
    }

    [Theory]
    [InlineData("eth0=trace.pcap", "'eth0' is not a port number")]
    [InlineData("-1=trace.pcap", "'-1' is not a port number")]
    [InlineData("=trace.pcap", "'' is not a port number")]
    [InlineData("1 =trace.pcap", "'1 ' is not a port number")]
    public void APrefixThatIsNotANumberIsRejected(string spec, string message)
    {
        var e = Assert.Throws<TraceInputException>(() => TraceInput.Load([spec]));
        Assert.Equal($"trace input '{spec}': there is no such file, and {message}; write FILE or N=FILE with N 0..255", e.Message);
    }

    [Fact]
    public void APortWithoutAFileIsRejected()
    {
        var e = Assert.Throws<TraceInputException>(() => TraceInput.Load(["5="]));
        Assert.Equal("trace input '5=' names no file; write N=FILE", e.Message);
    }

    [Fact]
    public void AFileNameMayContainAnEqualsSign()
    {
        var odd = Pcap("x=y.pcap", (5, 1));
        Assert.Equal("5:0:1", Describe(TraceInput.Load([odd])));
        Assert.Equal("5:3:1", Describe(TraceInput.Load(["3=" + odd])));
        var frame = Assert.Single(TraceInput.Load(["3=" + odd]));
        Assert.Equal(odd, frame.Source);
    }
}
