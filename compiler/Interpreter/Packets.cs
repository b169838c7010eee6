namespace Baker.Compiler.Interpreter;

/// <summary>A run-time fault: the packet being processed is dropped with <see cref="Reason"/>.</summary>
public sealed class PacketFault(string reason, string detail) : Exception(detail)
{
    public string Reason { get; } = reason;
}

/// <summary>
/// A packet of the interpreter. Positions are logical: byte 0 is where the packet started; an encap
/// in front of that gives negative positions. <see cref="Head"/>..<see cref="Tail"/> is the data; the
/// buffer keeps headroom so that encap rarely moves bytes.
/// </summary>
internal sealed class Packet
{
    public const int Headroom = 64;
    /// <summary>Packets may not grow beyond this (packet_extend / packet_create with a huge length fault instead).</summary>
    public const int MaxLength = 1 << 20;

    public byte[] Buffer;
    /// <summary>Buffer index of logical position 0.</summary>
    public int Origin;
    public int Head;
    public int Tail;
    public readonly ulong[] Meta;
    public readonly int Id;
    public readonly long TimestampNs;

    public Packet(int id, ReadOnlySpan<byte> data, int metaFields, long timestampNs)
    {
        Id = id;
        TimestampNs = timestampNs;
        // Bytes outside Head..Tail are never read before GrowFront/GrowBack clear them: no need to zero the buffer.
        Buffer = GC.AllocateUninitializedArray<byte>(Headroom + data.Length + 16);
        Origin = Headroom;
        Tail = data.Length;
        data.CopyTo(Buffer.AsSpan(Origin));
        Meta = new ulong[metaFields];
    }

    public static ulong Handle(int id, int offset) => ((ulong)(uint)id << 32) | (uint)offset;
    public static int IdOf(ulong handle) => (int)(handle >> 32);
    public static int OffsetOf(ulong handle) => (int)(uint)handle;

    /// <summary>Checks that logical bytes [from, from+count) lie inside the data.</summary>
    public void Check(long from, long count, string what)
    {
        if (from < Head || count < 0 || from + count > Tail)
            throw new PacketFault("truncated", $"{what} reaches bytes {from}..{from + count - 1} of a packet holding {Head}..{Tail - 1}");
    }

    public ulong ReadBits(int headerOffset, int bitOffset, int width)
    {
        long firstByte = headerOffset + (bitOffset >> 3);
        int shift = bitOffset & 7;
        int bytes = (shift + width + 7) >> 3;
        Check(firstByte, bytes, "a field read");
        int p = Origin + (int)firstByte;
        if (shift == 0)
        {
            switch (width)
            {
                case 8: return Buffer[p];
                case 16: return (ulong)(Buffer[p] << 8 | Buffer[p + 1]);
                case 32: return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(Buffer.AsSpan(p));
            }
        }
        UInt128 acc = 0;
        for (int i = 0; i < bytes; i++) acc = acc << 8 | Buffer[p + i];
        acc >>= bytes * 8 - shift - width;
        return (ulong)acc & (width == 64 ? ulong.MaxValue : (1UL << width) - 1);
    }

    public void WriteBits(int headerOffset, int bitOffset, int width, ulong value)
    {
        long firstByte = headerOffset + (bitOffset >> 3);
        int shift = bitOffset & 7;
        int bytes = (shift + width + 7) >> 3;
        Check(firstByte, bytes, "a field write");
        int p = Origin + (int)firstByte;
        ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        value &= mask;
        UInt128 acc = 0;
        for (int i = 0; i < bytes; i++) acc = acc << 8 | Buffer[p + i];
        int low = bytes * 8 - shift - width;
        acc = (acc & ~((UInt128)mask << low)) | ((UInt128)value << low);
        for (int i = bytes - 1; i >= 0; i--) { Buffer[p + i] = (byte)acc; acc >>= 8; }
    }

    /// <summary>Makes logical bytes [from, Head) exist (zeroed) in front of the data.</summary>
    public void GrowFront(int from)
    {
        if (Origin + from < 0)
        {
            int extra = -(Origin + from) + Headroom;
            var bigger = new byte[Buffer.Length + extra];
            Buffer.AsSpan().CopyTo(bigger.AsSpan(extra));
            Buffer = bigger;
            Origin += extra;
        }
        if (from < Head)
        {
            Buffer.AsSpan(Origin + from, Head - from).Clear();
            Head = from;
        }
    }

    public void GrowBack(long count)
    {
        if (Tail + count - Head > MaxLength)
            throw new PacketFault("packet_too_large", $"packet_extend by {count} bytes would pass the {MaxLength}-byte limit");
        int need = Origin + Tail + (int)count;
        if (need > Buffer.Length) Array.Resize(ref Buffer, Math.Max(need, Buffer.Length * 2));
        Buffer.AsSpan(Origin + Tail, (int)count).Clear();
        Tail += (int)count;
    }

    public ReadOnlySpan<byte> From(int offset) => offset >= Tail ? [] : Buffer.AsSpan(Origin + offset, Tail - offset);
}
