using System.Globalization;
using System.Numerics;
using System.Text;
using Baker.Runtime.Machine;

namespace Baker.Compiler.Backend.Me;

/// <summary>
/// now() on the chip (compiler/docs/me-backend.md, "Time"): the runtime routine <c>__now</c>, generated for
/// one machine because the ME has no multiplier or divider and the conversion multiplies by a constant of
/// the clock rate. now() = the trace epoch (ns, stored by the loader at <see cref="MemoryMap.ClockEpoch"/>)
/// + floor(cycles × 10^9 / ClockHz), where cycles is the ME's timestamp (cycle 0 is the epoch: the port unit
/// plays the traces from there).
///
/// The conversion is exact for every cycle count below 2^<see cref="ExactBits"/> (243 years at 600 MHz).
/// With r = 10^9 / ClockHz = I + p/q (I its integer part, p/q reduced), cycles × I is a sum of shifted copies
/// of cycles (the signed digits of I), and floor(cycles × p/q) = floor(cycles × M / 2^k) with
/// M = ceil(2^k × p/q), k the smallest shift whose rounding error (cycles × (M − 2^k p/q) / 2^k, below 1/q for
/// every cycle count in range) cannot reach the next integer. cycles × M / 2^k is accumulated from M's lowest
/// signed digit upwards, shifting the running sum right (a floor) between digits: floors of floors are one
/// floor, so the result is exact, and the running sum stays within ±(4/3) × cycles, so 64 bits hold it.
///
/// Conventions of the runtime library (RuntimeLibrary.uasm): called with <c>bal[b15, __now]</c>, the result in
/// a12 (low word) and b12 (high word); it touches only a12, b12, a13, b13, a15, transfer registers $0 and $1,
/// signal 1 and words 8 and 9 of the context block (<c>*l$index1</c>; words 0..7 are the runtime's).
/// </summary>
public static class Clock
{
    public const string NowRoutine = "__now";
    /// <summary>The conversion alone, from the cycle count in context-block words 8 (low) and 9 (high): tests feed it chosen counts.</summary>
    public const string ConvertRoutine = "__ns_of_cycles";
    public const int CyclesLowWord = 8, CyclesHighWord = 9;
    public const int ExactBits = 62;

    /// <summary>Whether the code calls <c>__now</c> (the routine is then appended to its ME's program).</summary>
    public static bool Called(MeProgram code) =>
        code.Functions.Any(f => f.Blocks.Any(b => b.Instrs.Any(i =>
            i.Mnemonic == "bal" && i.Ops.Any(o => o.Kind == MOpKind.Label && o.Text == NowRoutine))));

    /// <summary>The routine text for <paramref name="machine"/>'s clock, reading the epoch at <paramref name="epochAddress"/> (SRAM).</summary>
    public static string Routine(MachineDescription machine, uint epochAddress)
    {
        var (integer, fraction, k) = Factors(machine.ClockHz);
        var sb = new StringBuilder();
        var lo = Cycles(CyclesLowWord);
        var hi = Cycles(CyclesHighWord);
        sb.Append(CultureInfo.InvariantCulture, $"\n; {NowRoutine}: a12 = low and b12 = high word of now() in ns: the trace epoch at CLOCK_EPOCH (SRAM, low word\n");
        sb.Append(CultureInfo.InvariantCulture, $"; first) + floor(cycles × 10^9 / {machine.ClockHz}), exact below 2^{ExactBits} cycles (Clock.cs).\n");
        sb.Append(CultureInfo.InvariantCulture, $".equ CLOCK_EPOCH = 0x{epochAddress:x}\n{NowRoutine}:\n");
        // The halves are read one after the other: a high word that changed in between means the low word wrapped.
        sb.Append("    local_csr_rd[a13, timestamp_high]\n    local_csr_rd[a12, timestamp_low]\n    local_csr_rd[b13, timestamp_high]\n");
        sb.Append(CultureInfo.InvariantCulture, $"    alu[--, a13, -, b13]\n    br_ne[{NowRoutine}]\n    alu[{lo}, --, B, a12]\n    alu[{hi}, --, B, b13]\n");
        sb.Append(CultureInfo.InvariantCulture, $"; {ConvertRoutine}: the same for the cycle count in context-block words {CyclesLowWord} (low) and {CyclesHighWord} (high).\n");
        // The epoch's read overlaps the arithmetic.
        sb.Append(CultureInfo.InvariantCulture, $"{ConvertRoutine}:\n    sram[read, $0, --, CLOCK_EPOCH, 2], sig_done[1]\n");
        // a12:b12 = floor(cycles × fraction / 2^k): from the lowest digit up, the sum shifted right to each digit's position.
        var digits = SignedDigits(fraction);
        if (digits.Count == 0) sb.Append("    immed[a12, 0]\n    immed[b12, 0]\n");
        var at = 0;
        for (var i = 0; i < digits.Count; i++)
        {
            var (shift, negative) = digits[i];
            if (i == 0)
            {
                sb.Append(negative ? $"    alu[a12, 0, -, {lo}]\n    alu[b12, 0, -carry, {hi}]\n" : $"    alu[a12, --, B, {lo}]\n    alu[b12, --, B, {hi}]\n");
            }
            else
            {
                ShiftRight(sb, shift - at);
                AddCycles(sb, negative);
            }
            at = shift;
        }
        if (digits.Count > 0) ShiftRight(sb, k - at);
        // + cycles × integer, one shifted copy per signed digit (modulo 2^64, as the result is).
        foreach (var (shift, negative) in SignedDigits(integer))
        {
            var op = negative ? "-" : "+";
            if (shift == 0) AddCycles(sb, negative);
            else if (shift < 32)
            {
                // Both words of the copy before the add with carry: a shift clears the carry.
                sb.Append(CultureInfo.InvariantCulture, $"    alu_shf[b13, --, B, {lo}, <<{shift}]\n");
                sb.Append(CultureInfo.InvariantCulture, $"    alu_shf[a13, --, B, {lo}, >>{32 - shift}]\n");
                sb.Append(CultureInfo.InvariantCulture, $"    alu_shf[a13, a13, OR, {hi}, <<{shift}]\n");
                sb.Append(CultureInfo.InvariantCulture, $"    alu[a12, a12, {op}, b13]\n    alu[b12, b12, {op}carry, a13]\n");
            }
            else if (shift < 64)
            {
                sb.Append(CultureInfo.InvariantCulture, $"    alu_shf[a13, --, B, {lo}, <<{shift - 32}]\n");
                sb.Append(CultureInfo.InvariantCulture, $"    alu[b12, b12, {op}, a13]\n");
            }
        }
        sb.Append("    ctx_arb[1]\n    alu[a12, a12, +, $0]\n    alu[b12, b12, +carry, $1]\n    rtn[b15]\n");
        return sb.ToString();
    }

    private static string Cycles(int word) => $"*l$index1[{word}]";

    /// <summary>a12:b12 (a signed 64-bit number) shifted right arithmetically by n: floor(x / 2^n).</summary>
    private static void ShiftRight(StringBuilder sb, int n)
    {
        if (n == 0) return;
        if (n < 32)
            sb.Append(CultureInfo.InvariantCulture, $"    alu_shf[a12, --, B, a12, >>{n}]\n    alu_shf[a12, a12, OR, b12, <<{32 - n}]\n    alu_shf[b12, --, B, b12, >>>{n}]\n");
        else if (n == 32)
            sb.Append("    alu[a12, --, B, b12]\n    alu_shf[b12, --, B, b12, >>>31]\n");
        else if (n < 64)
            sb.Append(CultureInfo.InvariantCulture, $"    alu_shf[a12, --, B, b12, >>>{n - 32}]\n    alu_shf[b12, --, B, b12, >>>31]\n");
        else
            sb.Append("    alu_shf[b12, --, B, b12, >>>31]\n    alu[a12, --, B, b12]\n");
    }

    /// <summary>a12:b12 ± the cycle count (64-bit add or subtract with carry).</summary>
    private static void AddCycles(StringBuilder sb, bool negative)
    {
        var op = negative ? "-" : "+";
        sb.Append(CultureInfo.InvariantCulture, $"    alu[a12, a12, {op}, {Cycles(CyclesLowWord)}]\n    alu[b12, b12, {op}carry, {Cycles(CyclesHighWord)}]\n");
    }

    /// <summary>
    /// 10^9 / clockHz as integer + fraction / 2^k: the integer part, M = ceil(2^k × p/q) for the fractional part
    /// p/q (0 when there is none) and the smallest k for which floor(cycles × M / 2^k) = floor(cycles × p/q) for
    /// every cycles below 2^ExactBits. With M × q = 2^k p + e (0 ≤ e &lt; q), cycles × M / 2^k = cycles × p/q +
    /// cycles × e / (q 2^k), and the fractional part of cycles × p/q is at most (q − 1)/q: cycles × e &lt; 2^k
    /// keeps the sum below the next integer.
    /// </summary>
    public static (ulong Integer, BigInteger Fraction, int K) Factors(long clockHz)
    {
        if (clockHz <= 0) throw new ArgumentOutOfRangeException(nameof(clockHz), "the clock rate must be positive");
        var g = (long)BigInteger.GreatestCommonDivisor(1_000_000_000, clockHz);
        var p = 1_000_000_000 / g;
        var q = clockHz / g;
        var integer = (ulong)(p / q);
        var pf = p % q;
        if (pf == 0) return (integer, BigInteger.Zero, 0);
        var limit = (BigInteger.One << ExactBits) - 1;
        for (var k = 1; ; k++)
        {
            var scaled = (BigInteger)pf << k;
            var e = (q - scaled % q) % q;
            if (limit * e < BigInteger.One << k) return (integer, (scaled + e) / q, k);
        }
    }

    /// <summary>The non-adjacent form of n: (position, negative) of each nonzero digit, lowest first.</summary>
    private static List<(int Shift, bool Negative)> SignedDigits(BigInteger n)
    {
        var digits = new List<(int, bool)>();
        for (var i = 0; !n.IsZero; n >>= 1, i++)
        {
            if (n.IsEven) continue;
            var negative = (n & 3) == 3;
            digits.Add((i, negative));
            n = negative ? n + 1 : n - 1;
        }
        return digits;
    }
}
