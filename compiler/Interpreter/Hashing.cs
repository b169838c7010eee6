namespace Baker.Compiler.Interpreter;

/// <summary>
/// The hash and CRC built-ins, as the hash unit and the CRC unit of the target compute them:
/// CRC-32 with polynomial 0x04C11DB7, most significant bit first, initial value 0xFFFFFFFF, no final
/// inversion (CRC-32/MPEG-2). <c>crc32(x, n)</c> is that CRC of the n low-order bytes of x in network
/// order; <c>hash32(x)</c> is it over all 8 bytes; <c>hash64(x)</c> puts hash32(x) in the high half and
/// hash32(~x) in the low half.
/// </summary>
public static class Hashing
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i << 24;
            for (int k = 0; k < 8; k++) c = (c & 0x8000_0000) != 0 ? (c << 1) ^ 0x04C1_1DB7 : c << 1;
            t[i] = c;
        }
        return t;
    }

    public static uint Crc32(ulong x, int bytes)
    {
        uint crc = 0xFFFF_FFFF;
        for (int i = bytes - 1; i >= 0; i--)
            crc = (crc << 8) ^ Table[((crc >> 24) ^ (byte)(x >> (8 * i))) & 0xFF];
        return crc;
    }

    public static uint Hash32(ulong x) => Crc32(x, 8);
    public static ulong Hash64(ulong x) => (ulong)Hash32(x) << 32 | Hash32(~x);
}
