using System.Text;
using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;
using Baker.Compiler.Passes;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Passes;

/// <summary>
/// The scalar passes against the interpreter: the interpreter op files through every pass after lowering, constant
/// folding against the interpreter's own arithmetic on random and edge values, and what the passes do to the samples.
/// </summary>
public class ScalarPassTests
{
    private static readonly string OpsDir = Repo.Path("tests", "interp", "ops");

    public static TheoryData<string> OpFiles() =>
        new(Directory.GetFiles(OpsDir, "*.ir").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    /// <summary>Every run line of tests/interp/ops still holds once the whole optimising pipeline has run on its file.</summary>
    [Theory]
    [MemberData(nameof(OpFiles))]
    public void InterpreterOpFilesKeepTheirResultsThroughThePasses(string name)
    {
        var text = File.ReadAllText(Path.Combine(OpsDir, name));
        var module = IrParser.Parse(text, name);
        Pipeline.RunOn(module, Pipeline.AfterLowering);
        RunLines.AssertHold(module, RunLines.Parse(text, name), $"{name} after the passes");
    }

    private static readonly IrType[] Integers = [IrType.U8, IrType.U16, IrType.U32, IrType.U64, IrType.I8, IrType.I16, IrType.I32, IrType.I64];

    private static readonly Op[] Binary = [Op.Add, Op.Sub, Op.Mul, Op.Div, Op.Rem, Op.And, Op.Or, Op.Xor, Op.Shl, Op.Shr, Op.Min, Op.Max,
        Op.Eq, Op.Ne, Op.Lt, Op.Le, Op.Gt, Op.Ge];

    /// <summary>Values at the edges of every type (0, 1, the extremes, around the sign bit of each width) and random ones.</summary>
    private static List<ulong> Samples(Random random)
    {
        var values = new List<ulong> { 0, 1, 2, 7, 8, 31, 32, 33, 63, 64, 65, ulong.MaxValue, ulong.MaxValue - 1 };
        foreach (var bits in new[] { 8, 16, 32, 64 })
        {
            ulong top = 1UL << (bits - 1);
            values.AddRange([top, top - 1, top + 1, bits == 64 ? ulong.MaxValue : (top << 1) - 1, 0 - top]);
        }
        for (int i = 0; i < 24; i++) values.Add((ulong)random.NextInt64() ^ ((ulong)random.Next() << 40));
        return values;
    }

    /// <summary>
    /// const-fold's arithmetic is the interpreter's: each op in each type, on constants normalised to the type, folds to
    /// what the interpreter computes from registers holding them (a fault where it faults); shifts by counts of another
    /// type, conversions between every pair of scalar types, and the hashes too.
    /// </summary>
    [Fact]
    public void FoldingComputesWhatTheInterpreterComputes()
    {
        var random = new Random(20260412);
        var values = Samples(random);
        var ir = new StringBuilder("app fold\n");
        var cases = new List<(string Function, Op Op, IrType Result, IrType[] Operands, int Imm)>();
        void Add(Op op, IrType result, IrType[] operands, int imm = 0)
        {
            var name = $"f{cases.Count}";
            var ps = string.Join(", ", operands.Select((t, k) => $"%{k}: {t.Name()}"));
            var args = string.Join(", ", operands.Select((_, k) => $"%{k}")) + (op == Op.Crc32 ? $", {imm}" : "");
            ir.Append($"func @{name}({ps}) -> {result.Name()} helper {{\nb0:\n  %9: {result.Name()} = {op.Info().Name} {args}\n  ret %9\n}}\n");
            cases.Add((name, op, result, operands, imm));
        }
        foreach (var t in Integers)
        {
            foreach (var op in Binary)
                Add(op, op is Op.Eq or Op.Ne or Op.Lt or Op.Le or Op.Gt or Op.Ge ? IrType.Bool : t, [t, t]);
            Add(Op.Shl, t, [t, IrType.U8]);
            Add(Op.Shr, t, [t, IrType.I32]);
            Add(Op.Neg, t, [t]);
            Add(Op.Not, t, [t]);
            foreach (var to in Integers.Append(IrType.Bool)) Add(Op.Conv, to, [t]);
            Add(Op.Hash32, IrType.U32, [t]);
            Add(Op.Hash64, IrType.U64, [t]);
            Add(Op.Crc32, IrType.U32, [t], 3);
        }
        foreach (var op in new[] { Op.And, Op.Or, Op.Xor, Op.Eq, Op.Lt, Op.Add }) Add(op, IrType.Bool, [IrType.Bool, IrType.Bool]);
        Add(Op.Not, IrType.Bool, [IrType.Bool]);
        foreach (var to in Integers) Add(Op.Conv, to, [IrType.Bool]);
        var interpreter = new IrInterpreter(IrParser.Parse(ir.ToString(), "fold.ir"));
        var failures = new List<string>();
        int folded = 0;
        foreach (var (function, op, result, operands, imm) in cases)
            for (int n = 0; n < (operands.Length == 1 ? values.Count : 160); n++)
            {
                var args = operands.Length == 1 ? [values[n]] : new[] { values[random.Next(values.Count)], values[random.Next(values.Count)] };
                var constants = operands.Select((t, k) => new Constant(args[k], t)).ToArray();
                var expected = interpreter.Call(function, constants.Select(c => c.Bits).ToArray());
                var actual = ConstantFolding.Evaluate(op, result, constants, imm);
                if (expected is null ? actual is not null : actual != result.Normalize(expected.Value))
                    failures.Add($"{op.Info().Name} {string.Join(", ", constants.Select(c => $"{c.Bits}:{c.Type.Name()}"))} -> {result.Name()}: interpreter {expected?.ToString() ?? interpreter.LastFault}, folded {actual?.ToString() ?? "nothing"}");
                else folded++;
            }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
        Assert.True(folded > 20_000, $"only {folded} cases ran");
    }

    /// <summary>The samples' IR shrinks through the passes, and every packet access of the lowered IR is still there
    /// (the BASE level keeps at least one memory reference per packet and metadata access, so no pass may remove one).</summary>
    [Theory]
    [InlineData("l3_switch")]
    [InlineData("firewall")]
    [InlineData("mpls")]
    [InlineData("nat")]
    public void SamplesShrinkAndKeepEveryPacketAccess(string sample)
    {
        var file = Repo.Path("samples", sample, sample + ".baker");
        var lowered = Compilation.Compile([file], new CompileOptions { StopAfter = "lower" });
        var optimised = Compilation.Compile([file], new CompileOptions());
        Assert.False(optimised.HasErrors, string.Join("\n", optimised.Diagnostics));
        static Dictionary<Op, int> Count(IrModule m) => m.Functions.SelectMany(f => f.Blocks).SelectMany(b => b.Instructions)
            .GroupBy(i => i.Op).ToDictionary(g => g.Key, g => g.Count());
        var before = Count(lowered.Module!);
        var after = Count(optimised.Module!);
        foreach (var op in new[] { Op.Load, Op.Store, Op.Copy, Op.PktGet, Op.PktSet, Op.PktByte, Op.PktSetByte, Op.PktLength, Op.MetaGet, Op.MetaSet, Op.Call, Op.Now })
            Assert.True(before.GetValueOrDefault(op) == after.GetValueOrDefault(op),
                $"{sample}: {op.Info().Name} {before.GetValueOrDefault(op)} after lowering, {after.GetValueOrDefault(op)} after the passes");
        int total(Dictionary<Op, int> c) => c.Values.Sum();
        Assert.True(total(after) * 10 < total(before) * 8, $"{sample}: {total(before)} instructions after lowering, {total(after)} after the passes");
        Assert.True(after.GetValueOrDefault(Op.PktOffset) * 2 < before.GetValueOrDefault(Op.PktOffset));
    }
}
