using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using Baker.Compiler.Backend.Me;
using Baker.Runtime.Isa;
using Baker.Runtime.Machine;

namespace Baker.Tests.Backend;

/// <summary>
/// now() on the chip (Clock.cs): the generated routine runs on the emulated ME and must give exactly
/// epoch + floor(cycles × 10^9 / ClockHz) (modulo 2^64), computed here with big integers, for chosen cycle
/// counts up to 2^62 and for several clock rates.
/// </summary>
public class ClockTests
{
    private const uint ResultAddr = 0x1000;
    private const uint EpochAddr = 0x10240;

    public static TheoryData<long> ClockRates => new()
    {
        600_000_000,        // the IXP2400's 600 MHz: 5/3 ns per cycle
        1_400_000_000,      // 5/7 ns
        233_000_000,        // 1000/233 ns: a fraction with a large denominator
        500_000_000,        // exactly 2 ns: no fractional part
        999_999_937,        // a prime: the worst denominator near 1 GHz
    };

    [Theory]
    [MemberData(nameof(ClockRates))]
    public void ConversionIsExactForChosenCycleCounts(long clockHz)
    {
        var counts = new List<ulong> { 0, 1, 2, 3, 5, 7, 233, 1000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x100000001, 0x2ffffffff };
        foreach (var bits in new[] { 40, 50, Clock.ExactBits })
            counts.AddRange([(1UL << bits) - 2, (1UL << bits) - 1, bits < Clock.ExactBits ? 1UL << bits : (1UL << bits) - 3, (1UL << bits) - 12345]);
        var rng = new Random(clockHz.GetHashCode());
        for (var i = 0; i < 60; i++)
            counts.Add((ulong)rng.NextInt64(1L << rng.Next(1, Clock.ExactBits)));
        // An epoch whose low word is near 2^32, so adding it carries; and the samples' order of magnitude.
        foreach (var epoch in new ulong[] { 0x179a_4b2c_ffff_ff00, 1_700_000_000_000_500_000 })
        {
            var results = Run(clockHz, epoch, counts);
            for (var i = 0; i < counts.Count; i++)
            {
                var expected = epoch + (ulong)(new BigInteger(counts[i]) * 1_000_000_000 / clockHz & ulong.MaxValue);
                Assert.True(expected == results[i],
                    $"{clockHz} Hz, epoch {epoch}, {counts[i]} cycles: expected {expected}, the routine gives {results[i]} ({(long)(results[i] - expected)} ns off)");
            }
        }
    }

    [Fact]
    public void NowReadsTheTimestampOfTheCall()
    {
        // Each call sits between two timestamp reads: its result lies between their conversions.
        const long hz = 600_000_000;
        const ulong epoch = 1_700_000_000_000_000_000;
        var sb = new StringBuilder(Prologue(epoch));
        for (var i = 0; i < 4; i++)
        {
            // Wait a while between calls so the times differ.
            sb.Append(CultureInfo.InvariantCulture, $"    immed[a2, {1000 << (3 * i)}]\nwait{i}:\n    alu[a2, a2, -, 1]\n    br_ne[wait{i}]\n");
            sb.Append("    local_csr_rd[a3, timestamp_low]\n    bal[b15, __now]\n    local_csr_rd[a4, timestamp_low]\n");
            sb.Append("    alu[$0, --, B, a12]\n    alu[$1, --, B, b12]\n    alu[$2, --, B, a3]\n    alu[$3, --, B, a4]\n");
            sb.Append("    scratch[write, $0, a1, 0, 4], ctx_swap[2]\n    alu[a1, a1, +, 16]\n");
        }
        var mem = Execute(hz, sb.Append("    halt\n").ToString(), 4 * 16);
        ulong previous = 0;
        for (var i = 0; i < 4; i++)
        {
            var r = mem.AsSpan(16 * i);
            var now = (ulong)BinaryPrimitives.ReadUInt32BigEndian(r[4..]) << 32 | BinaryPrimitives.ReadUInt32BigEndian(r);
            ulong before = BinaryPrimitives.ReadUInt32BigEndian(r[8..]), after = BinaryPrimitives.ReadUInt32BigEndian(r[12..]);
            Assert.InRange(now, epoch + before * 5 / 3, epoch + after * 5 / 3);
            Assert.True(now > previous, $"call {i}: {now} is not after the previous call's {previous}");
            previous = now;
        }
    }

    [Fact]
    public void RoutineKeepsToTheRuntimeLibrarysRegisters()
    {
        // The caller's a0..a11, b0..b11, a14 and b14 survive, nothing is spilled around the call (RuntimeLibrary.uasm).
        foreach (var hz in new long[] { 600_000_000, 233_000_000 })
        {
            var text = Clock.Routine(new MachineDescription { ClockHz = hz }, EpochAddr);
            var code = string.Join("\n", text.Split('\n').Select(l => l.Split(';')[0]));
            var registers = Regex.Matches(code, @"(?<![\w$])[ab]\d+\b").Select(m => m.Value).ToHashSet();
            Assert.Subset(new HashSet<string> { "a12", "b12", "a13", "b13", "a15", "b15" }, registers);
            var words = Regex.Matches(code, @"\*l\$index(\d)\[(\d+)\]").Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToHashSet();
            Assert.All(words, w => Assert.True(w.Item1 == "1" && w.Item2 >= 8, $"the routine uses *l$index{w.Item1}[{w.Item2}]"));
            var signals = Regex.Matches(code, @"(?:sig_done|ctx_swap|ctx_arb)\[(\d+)").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            Assert.All(signals, s => Assert.InRange(s, 1, 3));
            // The cost of a call: instructions of the conversion at 600 MHz (one per line, no loops).
            if (hz == 600_000_000) Assert.InRange(Regex.Matches(code, @"^\s+\w+\[", RegexOptions.Multiline).Count, 20, 200);
        }
    }

    [Fact]
    public void ProgramsThatDoNotCallNowDoNotCarryTheRoutine()
    {
        MeProgram Program(string target)
        {
            var f = new MFunction("f", "f_f");
            var b = new MBlock("f_f");
            b.Instrs.Add(new MInstr("bal", [MOp.T("b15"), MOp.L(target)], [], []));
            f.Blocks.Add(b);
            return new MeProgram("", "", [f], 0, 0, []);
        }
        Assert.True(Clock.Called(Program(Clock.NowRoutine)));
        Assert.False(Clock.Called(Program("__mem_zero")));
    }

    /// <summary>One context: the context block set up by hand, then one call of the conversion per count, results to scratch.</summary>
    private static ulong[] Run(long clockHz, ulong epoch, IReadOnlyList<ulong> counts)
    {
        var sb = new StringBuilder(Prologue(epoch));
        foreach (var c in counts)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    immed[a0, 0x{(uint)c:x}]\n    alu[*l$index1[{Clock.CyclesLowWord}], --, B, a0]\n");
            sb.Append(CultureInfo.InvariantCulture, $"    immed[a0, 0x{(uint)(c >> 32):x}]\n    alu[*l$index1[{Clock.CyclesHighWord}], --, B, a0]\n");
            sb.Append(CultureInfo.InvariantCulture, $"    bal[b15, {Clock.ConvertRoutine}]\n");
            sb.Append("    alu[$0, --, B, a12]\n    alu[$1, --, B, b12]\n    scratch[write, $0, a1, 0, 2], ctx_swap[2]\n    alu[a1, a1, +, 8]\n");
        }
        var mem = Execute(clockHz, sb.Append("    halt\n").ToString(), 8 * counts.Count);
        return counts.Select((_, i) => (ulong)BinaryPrimitives.ReadUInt32BigEndian(mem.AsSpan(8 * i + 4)) << 32 | BinaryPrimitives.ReadUInt32BigEndian(mem.AsSpan(8 * i))).ToArray();
    }

    private static string Prologue(ulong epoch) => string.Create(CultureInfo.InvariantCulture,
        $".data sram 0x{EpochAddr:x} = 0x{(uint)epoch:x}, 0x{(uint)(epoch >> 32):x}\n.me 0\n.ctx 0\n" +
        $"    immed[a0, {MemoryMap.CtxBlocks}]\n    local_csr_wr[active_lm_addr_1, a0]\n    nop\n    nop\n    nop\n    immed[a1, 0x{ResultAddr:x}]\n");

    /// <summary>Assembles the program with the routine for <paramref name="clockHz"/>, runs it to its halt, returns the scratch results.</summary>
    private static byte[] Execute(long clockHz, string program, int bytes)
    {
        var machine = MachineDescription.Default();
        machine.ClockHz = clockHz;
        var text = program + Clock.Routine(machine, EpochAddr);
        var asm = Assembler.Assemble(text, "clock.uasm");
        Assert.True(asm.Success, string.Join("\n", asm.Diagnostics) + "\n" + text);
        var chip = new Chip(machine);
        chip.Load(asm.Image!);
        chip.Run(10_000_000);
        Assert.True(chip.Microengines[0].Halted, "the program did not reach its halt");
        return chip.ScratchMemory.AsSpan((int)ResultAddr, bytes).ToArray();
    }
}
