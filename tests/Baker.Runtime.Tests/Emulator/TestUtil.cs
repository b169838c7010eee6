using Baker.Runtime.Isa;
using Baker.Runtime.Pcap;

namespace Baker.Runtime.Tests.Emulator;

internal static class TestUtil
{
    public static MicrocodeImage Asm(string text)
    {
        var r = Assembler.Assemble(text, "test.uasm");
        Assert.True(r.Success, string.Join("\n", r.Diagnostics));
        return r.Image!;
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "baker-rt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>A pcap of <paramref name="count"/> Ethernet frames of <paramref name="length"/> bytes, frame i carrying i in bytes 14..17.</summary>
    public static string Trace(int count, int length) => TimedTrace(length, new long[count]);

    /// <summary>A pcap with one frame of <paramref name="length"/> bytes per timestamp (ns), frame i carrying i in bytes 14..17.</summary>
    public static string TimedTrace(int length, params long[] timestampsNs)
    {
        var path = Path.Combine(TempDir(), "in.pcap");
        using var w = new PcapWriter(path);
        for (var i = 0; i < timestampsNs.Length; i++) w.Write(timestampsNs[i], Frame(i, length), length);
        return path;
    }

    public static byte[] Frame(int i, int length)
    {
        var f = new byte[length];
        f[12] = 0x08;
        f[14] = (byte)(i >> 24); f[15] = (byte)(i >> 16); f[16] = (byte)(i >> 8); f[17] = (byte)i;
        return f;
    }

    /// <summary>One context that moves every receive descriptor to port 0's transmit ring unchanged (retrying while it is full).</summary>
    public const string Reflector = """
        .me 0
        .ctx 0
        loop:
            scratch[get, $0, --, 0, 2], ctx_swap[1]
            alu[a0, --, B, $0]
            br_eq[loop]
            alu[$0, --, B, $0]
            alu[$1, --, B, $1]
        put:
            scratch[put, $0, --, 1, 2], ctx_swap[2]
            br_bclr[$0, 0, put]
            br[loop]
        """;
}
