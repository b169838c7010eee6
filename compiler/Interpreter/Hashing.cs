using Baker.Runtime.Microengine;

namespace Baker.Compiler.Interpreter;

/// <summary>
/// The hash and CRC built-ins, computed by the target's own CRC unit (runtime <see cref="Crc"/>:
/// CRC-32/MPEG-2): <c>crc32(x, n)</c> is the CRC of the n low-order bytes of x in network order,
/// started at 0xFFFFFFFF; <c>hash32(x)</c> is it over all 8 bytes; <c>hash64(x)</c> puts hash32(x) in
/// the high half and hash32(~x) in the low half.
/// </summary>
public static class Hashing
{
    public static uint Crc32(ulong x, int bytes) => Crc.Crc32(0xFFFF_FFFF, x, bytes);
    public static uint Hash32(ulong x) => Crc32(x, 8);
    public static ulong Hash64(ulong x) => (ulong)Hash32(x) << 32 | Hash32(~x);
}
