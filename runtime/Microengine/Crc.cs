namespace Baker.Runtime.Microengine;

/// <summary>
/// The CRC-32 of the microengines' CRC and hash units: polynomial 0x04C11DB7, most significant bit
/// first, no reflection, no final inversion (CRC-32/MPEG-2 when started at 0xFFFFFFFF). Public so that
/// the compiler's reference interpreter computes hash32/crc32 exactly as the hardware does.
/// </summary>
public static class Crc
{
    private static readonly uint[] Table = Build();

    private static uint[] Build()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i << 24;
            for (var k = 0; k < 8; k++) c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
            t[i] = c;
        }
        return t;
    }

    /// <summary>Continues <paramref name="crc"/> over the <paramref name="bytes"/> low-order bytes of <paramref name="value"/>, most significant first.</summary>
    public static uint Crc32(uint crc, ulong value, int bytes)
    {
        for (var k = bytes - 1; k >= 0; k--)
            crc = (crc << 8) ^ Table[(byte)(crc >> 24) ^ (byte)(value >> (8 * k))];
        return crc;
    }
}
