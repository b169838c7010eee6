using System.Buffers.Binary;

namespace Baker.Runtime.Pcap;

/// <summary>
/// One captured frame. <paramref name="Data"/> holds the captured bytes, which may be fewer than
/// <paramref name="OriginalLength"/> (the length on the wire) when the capture was cut at a snap length.
/// </summary>
public sealed record PcapFrame(long TimestampNs, int Interface, byte[] Data, int OriginalLength)
{
    public bool IsTruncated => Data.Length < OriginalLength;
}

/// <summary>A malformed capture file; the message names the file and the byte offset of the problem.</summary>
public sealed class PcapFormatException(string message) : Exception(message);

/// <summary>
/// Reads classic pcap (micro- or nanosecond timestamps, either byte order) and pcapng (section header,
/// interface description with if_tsresol, enhanced/simple/obsolete packet blocks; other blocks skipped).
/// Timestamps come out in nanoseconds; the interface is the pcapng interface id (0 for classic pcap).
/// </summary>
public static class PcapReader
{
    public const uint LinkTypeEthernet = 1;

    public static List<PcapFrame> ReadFile(string path) => Read(File.ReadAllBytes(path), path);

    public static List<PcapFrame> Read(byte[] bytes, string name)
    {
        if (bytes.Length < 4) throw new PcapFormatException($"{name}: file of {bytes.Length} bytes is too short for a capture (byte offset 0)");
        var magicLe = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (magicLe == 0x0A0D0D0A) return ReadNg(bytes, name);
        return ReadClassic(bytes, name);
    }

    private static List<PcapFrame> ReadClassic(byte[] b, string name)
    {
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(b);
        bool le, nano;
        switch (magic)
        {
            case 0xa1b2c3d4: le = true; nano = false; break;
            case 0xa1b23c4d: le = true; nano = true; break;
            case 0xd4c3b2a1: le = false; nano = false; break;
            case 0x4d3cb2a1: le = false; nano = true; break;
            default: throw new PcapFormatException($"{name}: unknown capture magic 0x{magic:x8} at byte offset 0 (not pcap or pcapng)");
        }
        if (b.Length < 24) throw new PcapFormatException($"{name}: truncated pcap file header at byte offset {b.Length} (need 24 bytes)");
        uint U32(int at) => le ? BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at));
        var frames = new List<PcapFrame>();
        var pos = 24;
        while (pos < b.Length)
        {
            if (pos + 16 > b.Length)
                throw new PcapFormatException($"{name}: truncated record header at byte offset {pos} ({b.Length - pos} of 16 bytes)");
            long sec = U32(pos);
            long frac = U32(pos + 4);
            var incl = U32(pos + 8);
            var orig = U32(pos + 12);
            if (incl > 0x10000000)
                throw new PcapFormatException($"{name}: record at byte offset {pos} claims {incl} captured bytes");
            if (pos + 16 + incl > b.Length)
                throw new PcapFormatException($"{name}: truncated frame at byte offset {pos + 16}: record says {incl} bytes, file has {b.Length - pos - 16}");
            var data = b.AsSpan(pos + 16, (int)incl).ToArray();
            var ns = sec * 1_000_000_000 + (nano ? frac : frac * 1000);
            frames.Add(new PcapFrame(ns, 0, data, (int)Math.Max(orig, incl)));
            pos += 16 + (int)incl;
        }
        return frames;
    }

    private sealed class Iface
    {
        public bool Decimal = true;
        public int Exp = 6;
        public uint SnapLen;
    }

    private static List<PcapFrame> ReadNg(byte[] b, string name)
    {
        var frames = new List<PcapFrame>();
        var pos = 0;
        var le = true;
        var ifaces = new List<Iface>();
        while (pos < b.Length)
        {
            if (pos + 12 > b.Length) throw new PcapFormatException($"{name}: truncated pcapng block header at byte offset {pos}");
            var type = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos));
            if (type == 0x0A0D0D0A)
            {
                var bom = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 8));
                if (bom == 0x1A2B3C4D) le = true;
                else if (bom == 0x4D3C2B1A) le = false;
                else throw new PcapFormatException($"{name}: bad byte-order magic 0x{bom:x8} in section header at byte offset {pos + 8}");
                ifaces.Clear();
            }
            uint U32(int at) => le ? BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at));
            ushort U16(int at) => le ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(at));
            if (type != 0x0A0D0D0A) type = U32(pos);
            var len = U32(pos + 4);
            if (len < 12 || len % 4 != 0 || pos + len > b.Length)
                throw new PcapFormatException($"{name}: pcapng block at byte offset {pos} has bad length {len} (file has {b.Length - pos} bytes left)");
            var trailer = U32(pos + (int)len - 4);
            if (trailer != len)
                throw new PcapFormatException($"{name}: pcapng block at byte offset {pos}: trailing length {trailer} differs from {len}");
            var body = pos + 8;
            var bodyEnd = pos + (int)len - 4;
            switch (type)
            {
                case 1: // interface description
                    {
                        if (bodyEnd - body < 8) throw new PcapFormatException($"{name}: short interface block at byte offset {pos}");
                        var iface = new Iface { SnapLen = U32(body + 4) };
                        var o = body + 8;
                        while (o + 4 <= bodyEnd)
                        {
                            var code = U16(o);
                            var olen = U16(o + 2);
                            if (code == 0) break;
                            if (o + 4 + olen > bodyEnd) throw new PcapFormatException($"{name}: option at byte offset {o} runs past its block");
                            if (code == 9 && olen >= 1)
                            {
                                var r = b[o + 4];
                                iface.Decimal = (r & 0x80) == 0;
                                iface.Exp = r & 0x7f;
                            }
                            o += 4 + ((olen + 3) & ~3);
                        }
                        ifaces.Add(iface);
                        break;
                    }
                case 6: // enhanced packet
                case 2: // obsolete packet
                    {
                        if (bodyEnd - body < 20) throw new PcapFormatException($"{name}: short packet block at byte offset {pos}");
                        var id = type == 6 ? (int)U32(body) : U16(body);
                        if (id >= ifaces.Count) throw new PcapFormatException($"{name}: packet block at byte offset {pos} names interface {id}, only {ifaces.Count} declared");
                        var ts = ((ulong)U32(body + 4) << 32) | U32(body + 8);
                        var cap = U32(body + 12);
                        var orig = U32(body + 16);
                        if (body + 20 + cap > bodyEnd)
                            throw new PcapFormatException($"{name}: truncated packet data at byte offset {body + 20}: block says {cap} bytes, has {bodyEnd - body - 20}");
                        frames.Add(new PcapFrame(ToNs(ts, ifaces[id]), id, b.AsSpan(body + 20, (int)cap).ToArray(), (int)Math.Max(orig, cap)));
                        break;
                    }
                case 3: // simple packet
                    {
                        if (ifaces.Count == 0) throw new PcapFormatException($"{name}: simple packet block at byte offset {pos} before any interface");
                        var orig = U32(body);
                        var cap = Math.Min(orig, (uint)(bodyEnd - body - 4));
                        if (ifaces[0].SnapLen != 0) cap = Math.Min(cap, ifaces[0].SnapLen);
                        frames.Add(new PcapFrame(0, 0, b.AsSpan(body + 4, (int)cap).ToArray(), (int)orig));
                        break;
                    }
            }
            pos += (int)len;
        }
        return frames;
    }

    private static long ToNs(ulong ts, Iface i)
    {
        if (i.Decimal)
        {
            if (i.Exp <= 9) return (long)(ts * (ulong)Math.Pow(10, 9 - i.Exp));
            return (long)(ts / (ulong)Math.Pow(10, i.Exp - 9));
        }
        return (long)((UInt128)ts * 1_000_000_000 >> i.Exp);
    }
}

/// <summary>Writes classic pcap, nanosecond timestamps by default (emulated time is finer than a microsecond).</summary>
public sealed class PcapWriter : IDisposable
{
    private readonly Stream _s;
    private readonly bool _nano;
    private readonly bool _own;

    public PcapWriter(string path, bool nanosecond = true, uint linkType = PcapReader.LinkTypeEthernet, uint snapLen = 65535)
        : this(File.Create(path), nanosecond, linkType, snapLen, ownsStream: true) { }

    public PcapWriter(Stream s, bool nanosecond = true, uint linkType = PcapReader.LinkTypeEthernet, uint snapLen = 65535, bool ownsStream = false)
    {
        _s = s;
        _nano = nanosecond;
        _own = ownsStream;
        Span<byte> h = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(h, nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], snapLen);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], linkType);
        _s.Write(h);
    }

    public void Write(PcapFrame f) => Write(f.TimestampNs, f.Data, f.OriginalLength);

    public void Write(long timestampNs, ReadOnlySpan<byte> data, int originalLength)
    {
        Span<byte> h = stackalloc byte[16];
        var sec = timestampNs / 1_000_000_000;
        var frac = timestampNs % 1_000_000_000;
        if (!_nano) frac /= 1000;
        BinaryPrimitives.WriteUInt32LittleEndian(h, (uint)sec);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)frac);
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], (uint)Math.Max(originalLength, data.Length));
        _s.Write(h);
        _s.Write(data);
    }

    public void Dispose()
    {
        _s.Flush();
        if (_own) _s.Dispose();
    }
}
