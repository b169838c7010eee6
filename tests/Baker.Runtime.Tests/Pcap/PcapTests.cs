using System.Buffers.Binary;
using Baker.Runtime.Pcap;

namespace Baker.Runtime.Tests.Pcap;

public class PcapTests
{
    private static byte[] Classic(bool bigEndian, bool nano, params (uint sec, uint frac, byte[] data, uint orig)[] recs)
    {
        var ms = new MemoryStream();
        void U32(uint v)
        {
            var b = new byte[4];
            if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            ms.Write(b);
        }
        void U16(ushort v)
        {
            var b = new byte[2];
            if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
            ms.Write(b);
        }
        U32(nano ? 0xa1b23c4d : 0xa1b2c3d4); U16(2); U16(4); U32(0); U32(0); U32(65535); U32(1);
        foreach (var (sec, frac, data, orig) in recs) { U32(sec); U32(frac); U32((uint)data.Length); U32(orig); ms.Write(data); }
        return ms.ToArray();
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ReadsClassicPcapInBothByteOrdersAndResolutions(bool bigEndian, bool nano)
    {
        var bytes = Classic(bigEndian, nano, (3, 250, [1, 2, 3], 3), (4, 7, [9, 9], 1500));
        var frames = PcapReader.Read(bytes, "t.pcap");
        Assert.Equal(2, frames.Count);
        Assert.Equal(3_000_000_000L + (nano ? 250 : 250_000), frames[0].TimestampNs);
        Assert.Equal(new byte[] { 1, 2, 3 }, frames[0].Data);
        Assert.False(frames[0].IsTruncated);
        Assert.Equal(1500, frames[1].OriginalLength);
        Assert.True(frames[1].IsTruncated);
    }

    [Fact]
    public void TruncatedFilesNameTheByteOffset()
    {
        var bytes = Classic(false, false, (1, 0, new byte[10], 10));
        var e = Assert.Throws<PcapFormatException>(() => PcapReader.Read(bytes[..(24 + 16 + 4)], "cut.pcap"));
        Assert.Equal("cut.pcap: truncated frame at byte offset 40: record says 10 bytes, file has 4", e.Message);
        e = Assert.Throws<PcapFormatException>(() => PcapReader.Read(bytes[..30], "cut.pcap"));
        Assert.Contains("truncated record header at byte offset 24", e.Message);
        e = Assert.Throws<PcapFormatException>(() => PcapReader.Read(bytes[..20], "cut.pcap"));
        Assert.Contains("truncated pcap file header", e.Message);
        e = Assert.Throws<PcapFormatException>(() => PcapReader.Read([1, 2, 3, 4, 5], "junk"));
        Assert.Contains("unknown capture magic 0x04030201 at byte offset 0", e.Message);
    }

    private static byte[] Block(uint type, byte[] body)
    {
        var len = 12 + ((body.Length + 3) & ~3);
        var b = new byte[len];
        BinaryPrimitives.WriteUInt32LittleEndian(b, type);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)len);
        body.CopyTo(b, 8);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(len - 4), (uint)len);
        return b;
    }

    private static byte[] Le(params uint[] words) => words.SelectMany(w => { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, w); return b; }).ToArray();

    [Fact]
    public void ReadsPcapNgWithInterfacesAndResolutions()
    {
        var shb = Block(0x0A0D0D0A, [.. Le(0x1A2B3C4D), 1, 0, 0, 0, .. Le(0xffffffff, 0xffffffff)]);
        var idb0 = Block(1, [1, 0, 0, 0, .. Le(65535)]); // default microseconds
        // if_tsresol = 9 (nanoseconds), then opt_endofopt
        var idb1 = Block(1, [1, 0, 0, 0, .. Le(65535), 9, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0]);
        var epb0 = Block(6, [.. Le(0, 0, 1_500_000, 4, 4), 0xde, 0xad, 0xbe, 0xef]);
        var epb1 = Block(6, [.. Le(1, 0, 2_000_000_123, 2, 60), 0xaa, 0xbb]);
        var spb = Block(3, [.. Le(3), 7, 8, 9]);
        var custom = Block(0x0BAD, [1, 2, 3, 4]);
        var file = shb.Concat(idb0).Concat(idb1).Concat(epb0).Concat(custom).Concat(epb1).Concat(spb).ToArray();
        var frames = PcapReader.Read(file, "t.pcapng");
        Assert.Equal(3, frames.Count);
        Assert.Equal(1_500_000_000L, frames[0].TimestampNs);
        Assert.Equal(0, frames[0].Interface);
        Assert.Equal(2_000_000_123L, frames[1].TimestampNs);
        Assert.Equal(1, frames[1].Interface);
        Assert.Equal(60, frames[1].OriginalLength);
        Assert.True(frames[1].IsTruncated);
        Assert.Equal(new byte[] { 7, 8, 9 }, frames[2].Data);

        var e = Assert.Throws<PcapFormatException>(() => PcapReader.Read(file[..(file.Length - 6)], "t.pcapng"));
        Assert.Matches("pcapng block at byte offset \\d+ has bad length", e.Message);
    }

    [Fact]
    public void WriterRoundTripsThroughReader()
    {
        var ms = new MemoryStream();
        using (var w = new PcapWriter(ms, nanosecond: true))
        {
            w.Write(1_234_567_891L, new byte[] { 1, 2, 3 }, 3);
            w.Write(new PcapFrame(5_000_000_001L, 0, [4, 5], 100));
        }
        var frames = PcapReader.Read(ms.ToArray(), "w.pcap");
        Assert.Equal(1_234_567_891L, frames[0].TimestampNs);
        Assert.Equal(5_000_000_001L, frames[1].TimestampNs);
        Assert.Equal(100, frames[1].OriginalLength);
        var micro = new MemoryStream();
        using (var w = new PcapWriter(micro, nanosecond: false)) w.Write(1_234_567_891L, new byte[] { 1 }, 1);
        Assert.Equal(1_234_567_000L, PcapReader.Read(micro.ToArray(), "u.pcap")[0].TimestampNs);
    }
}
