using System.Text.RegularExpressions;
using Baker.Compiler.IR;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.IR;

/// <summary>
/// The IR text form and verifier. Every module in tests/ir/roundtrip parses, prints back to exactly
/// its own text and verifies clean; every module in tests/ir/invalid fails to parse or to verify with
/// the message its first line gives (<c>; expect: TEXT</c>). Rules that the text cannot express
/// (operand kinds, registers never assigned, cross-function references) are checked on modules built here.
/// </summary>
public class IrTextTests
{
    private static readonly string RoundtripDir = Repo.Path("tests", "ir", "roundtrip");
    private static readonly string InvalidDir = Repo.Path("tests", "ir", "invalid");
    private static readonly Regex Expect = new(@"^; expect: (?<text>.+?)\s*$");
    private static readonly Regex ParseMessage = new(@"^[^()\s]+\.ir\(\d+,\d+\): error: \S");

    private static TheoryData<string> Files(string dir) =>
        new(Directory.GetFiles(dir, "*.ir").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    public static TheoryData<string> RoundtripFiles() => Files(RoundtripDir);
    public static TheoryData<string> InvalidFiles() => Files(InvalidDir);

    private static IrModule ParseFile(string dir, string name) => IrParser.Parse(File.ReadAllText(Path.Combine(dir, name)), name);

    [Theory]
    [MemberData(nameof(RoundtripFiles))]
    public void RoundtripModulePrintsItsOwnTextAndVerifies(string name)
    {
        var text = File.ReadAllText(Path.Combine(RoundtripDir, name));
        var m = IrParser.Parse(text, name);
        Assert.Equal(text, IrPrinter.Print(m));
        Assert.Empty(IrVerifier.Verify(m));
    }

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void InvalidModuleIsRejectedWithItsMessage(string name)
    {
        var text = File.ReadAllText(Path.Combine(InvalidDir, name));
        var expect = Expect.Match(text.Split('\n')[0]);
        Assert.True(expect.Success, $"{name} must start with '; expect: TEXT'");
        var expected = expect.Groups["text"].Value;
        IReadOnlyList<string> problems;
        try
        {
            problems = IrVerifier.Verify(IrParser.Parse(text, name));
        }
        catch (IrParseException e)
        {
            Assert.Matches(ParseMessage, e.Message);
            Assert.Contains(expected, e.Message);
            return;
        }
        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)),
            $"expected a problem containing '{expected}', got:\n  {string.Join("\n  ", problems)}");
    }

    [Fact]
    public void RoundtripFilesUseEveryOp()
    {
        var used = Directory.GetFiles(RoundtripDir, "*.ir")
            .SelectMany(p => IrParser.Parse(File.ReadAllText(p), Path.GetFileName(p)).Functions)
            .SelectMany(f => f.Blocks).SelectMany(b => b.Instructions).Select(i => i.Op).ToHashSet();
        Assert.Empty(Enum.GetValues<Op>().Where(op => !used.Contains(op)).Select(op => op.Info().Name));
    }

    [Fact]
    public void DocumentationTableListsEveryOpRow()
    {
        var documented = File.ReadAllLines(Repo.Path("compiler", "docs", "ir.md")).Where(l => l.StartsWith("| `", StringComparison.Ordinal));
        var rows = OpTable.All.Select(r =>
            $"| `{r.Name}` | {(r.Signature.Length == 0 ? "—" : $"`{r.Signature}`")} | {r.Result.ToString().ToLowerInvariant()} | {r.Meaning} |");
        Assert.Equal(rows, documented);
    }

    [Fact]
    public void ParseErrorsGiveLineAndColumn()
    {
        var e = Assert.Throws<IrParseException>(() => IrParser.Parse("app t\n\nfunc @f() -> void helper {\nb0:\n  %1: u32 = frob 1:u32\n}\n", "x.ir"));
        Assert.Equal("x.ir(5,13): error: unknown op 'frob'", e.Message);
        e = Assert.Throws<IrParseException>(() => IrParser.Parse("app t\nglobal @g \"u8\" size 1 align 1 init u8 256\n", "y.ir"));
        Assert.Equal("y.ir(2,39): error: 256 is not a u8 value", e.Message);
    }

    /// <summary>Mutations of the roundtrip files (truncated, lines dropped or swapped, characters replaced) either
    /// parse or throw IrParseException; what parses prints to a fixed point and verifies without crashing.</summary>
    [Fact]
    public void MutatedTextOnlyEverThrowsParseErrors()
    {
        var sources = Directory.GetFiles(RoundtripDir, "*.ir").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        var random = new Random(20260301);
        const string Alphabet = "%@$:,=!(){}\"\\-; \n0123456789abxyz.";
        int rejected = 0;
        for (int i = 0; i < 500; i++)
        {
            var text = sources[random.Next(sources.Count)];
            var lines = text.Split('\n').ToList();
            int a = random.Next(lines.Count), b = random.Next(lines.Count);
            string mutated = (i % 5) switch
            {
                0 => text[..random.Next(text.Length)],
                1 => string.Join('\n', lines.Where((_, k) => k != a)),
                2 => string.Join('\n', lines.Select((l, k) => k == a ? lines[b] : k == b ? lines[a] : l)),
                3 => string.Join('\n', lines.Select((l, k) => k == a ? lines[b] : l)),
                _ => Replace(text, random, Alphabet),
            };
            IrModule m;
            try
            {
                m = IrParser.Parse(mutated, "fuzz.ir");
            }
            catch (IrParseException e)
            {
                Assert.Matches(ParseMessage, e.Message);
                rejected++;
                continue;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} crashed the parser: {e}\n--- text ---\n{mutated}");
                return;
            }
            var printed = IrPrinter.Print(m);
            Assert.Equal(printed, IrPrinter.Print(IrParser.Parse(printed, "fuzz.ir")));
            IrVerifier.Verify(m);
        }
        Assert.True(rejected > 100, $"only {rejected} of 500 mutations were rejected");
    }

    private static string Replace(string text, Random random, string alphabet)
    {
        var chars = text.ToCharArray();
        for (int n = random.Next(1, 4); n > 0; n--) chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
        return new string(chars);
    }

    // ---- Modules built in code: rules the text form cannot break ----

    /// <summary>A module with one helper <c>@f(u32) -> void</c> whose single block holds <paramref name="body"/> then ret.</summary>
    private static (IrModule M, IrFunction F) Build(Func<IrFunction, Instruction[]> body)
    {
        var m = new IrModule("t");
        var f = new IrFunction("f", FunctionKind.Helper, IrType.Void);
        f.Params.Add(new Register(IrType.U32));
        var b = new Block();
        f.Blocks.Add(b);
        b.Instructions.AddRange(body(f));
        b.Instructions.Add(new Instruction(Op.Ret, null, []));
        m.Functions.Add(f);
        return (m, f);
    }

    private static void AssertProblem(IrModule m, string expected)
    {
        var problems = IrVerifier.Verify(m);
        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)),
            $"expected a problem containing '{expected}', got:\n  {string.Join("\n  ", problems)}");
    }

    [Fact]
    public void OperandKindsMustMatchTheSignature()
    {
        var (m, _) = Build(f => [new Instruction(Op.Add, new Register(IrType.U32), [f.Params[0], new IntImm(1)])]);
        AssertProblem(m, "@f, b0, instruction 0 (add): operand 2 must be a value");
        (m, _) = Build(f => [new Instruction(Op.Neg, new Register(IrType.U32), [f.Params[0], f.Params[0]])]);
        AssertProblem(m, "2 operands do not fit the signature 'v'");
        (m, _) = Build(f => [new Instruction(Op.Switch, null, [f.Params[0], new BlockRef(f.Blocks[0]), new IntImm(1)])]);
        AssertProblem(m, "3 operands do not fit the signature 'v b [i b]*'");
    }

    [Fact]
    public void RegisterUsedButNeverAssignedIsReported()
    {
        var (m, _) = Build(_ => [new Instruction(Op.Mov, new Register(IrType.U32), [new Register(IrType.U32)])]);
        AssertProblem(m, "instruction 0 (mov): register %1 is used but never assigned");
    }

    [Fact]
    public void ReferencesMustStayInsideTheModuleAndFunction()
    {
        var other = new IrFunction("other", FunctionKind.Helper, IrType.Void);
        other.Blocks.Add(new Block());
        var stray = new StorageObject("stray", StorageKind.Global, "u32", 4, 4);
        var straySlot = new StorageObject("tmp", StorageKind.Slot, "u8[4]", 4, 1);
        var (m, _) = Build(f =>
        [
            new Instruction(Op.Store, null, [new ObjectRef(stray), new Constant(0, IrType.U32), f.Params[0]]),
            new Instruction(Op.Store, null, [new ObjectRef(straySlot), new Constant(0, IrType.U32), f.Params[0]]),
            new Instruction(Op.Call, null, [new FunctionRef(other)]),
            new Instruction(Op.Jmp, null, [new BlockRef(other.Blocks[0])]),
        ]);
        var problems = IrVerifier.Verify(m);
        Assert.Contains("@f, b0, instruction 0 (store): @stray is not an object of the module", problems);
        Assert.Contains("@f, b0, instruction 1 (store): $tmp is not a slot of this function", problems);
        Assert.Contains("@f, b0, instruction 2 (call): @other is not a function of the module", problems);
        Assert.Contains("@f, b0, instruction 3 (jmp): branches to a block of another function", problems);
        Assert.Contains("@f, b0, instruction 3 (jmp): terminator before the end of the block", problems);
    }

    [Fact]
    public void MetadataFieldsMustBeTheModulesOwnAndInIndexOrder()
    {
        var (m, _) = Build(_ => []);
        m.Metadata.Add(new IrMetaField("a", IrType.U8, 1));
        var p = new IrFunction("p", FunctionKind.Helper, IrType.Void);
        p.Params.Add(new Register(IrType.Pkt));
        p.Blocks.Add(new Block());
        p.Blocks[0].Instructions.Add(new Instruction(Op.MetaSet, null, [p.Params[0], new FieldRef(new IrMetaField("b", IrType.U8, 0)), new Constant(1, IrType.U8)]));
        p.Blocks[0].Instructions.Add(new Instruction(Op.Ret, null, []));
        m.Functions.Add(p);
        AssertProblem(m, "module: metadata field a has index 1, expected 0");
        AssertProblem(m, "@p, b0, instruction 0 (meta.set): metadata field b is not in the module");
    }

    [Fact]
    public void InstanceFunctionsMustBeInTheModule()
    {
        var (m, f) = Build(_ => []);
        var stray = new IrFunction("stray", FunctionKind.Process, IrType.Void);
        var inst = new IrInstance("a", "x") { Init = new IrFunction("gone", FunctionKind.Init, IrType.Void) };
        inst.Endpoints.Add(new IrEndpoint("in", true, "packet") { Process = stray });
        inst.Controls.Add(f);
        m.Instances.Add(inst);
        AssertProblem(m, "instance a: process function @stray of endpoint in is not in the module");
        AssertProblem(m, "instance a: init function @gone is not in the module");
        AssertProblem(m, "instance a: @f is listed as control but is a helper function");
    }

    [Fact]
    public void DuplicateNamesAreReported()
    {
        var (m, f) = Build(_ => []);
        m.Functions.Add(f);
        m.Objects.Add(new StorageObject("g", StorageKind.Global, "u32", 4, 4));
        m.Objects.Add(new StorageObject("g", StorageKind.Global, "u8", 1, 1));
        AssertProblem(m, "module: function @f is defined more than once");
        AssertProblem(m, "module: object @g is defined more than once");
    }

    [Fact]
    public void VerifyOrThrowNamesThePassAndEveryProblem()
    {
        var text = File.ReadAllText(Path.Combine(InvalidDir, "verify_several_problems.ir"));
        var m = IrParser.Parse(text, "verify_several_problems.ir");
        var e = Assert.Throws<IrVerifyException>(() => IrVerifier.VerifyOrThrow(m, "simplify-cfg"));
        Assert.StartsWith("IR verification failed after pass 'simplify-cfg'", e.Message);
        Assert.Equal(4, e.Problems.Count);
        foreach (var p in e.Problems) Assert.Contains(p, e.Message);
        Assert.Contains("@f, b1, instruction 0 (add): operand 2 must be u32 like operand 1, not %1: u8", e.Problems);
        IrVerifier.VerifyOrThrow(ParseFile(RoundtripDir, "l3_switch.ir"), "lower");
    }

    [Fact]
    public void PrinterNumbersOperandsBeforeDestinationsAndFunctionsPrintAlone()
    {
        var m = ParseFile(RoundtripDir, "control.ir");
        var countdown = m.Function("countdown")!;
        var text = IrPrinter.Print(countdown, m);
        Assert.StartsWith("func @countdown(%0: u8) -> u8 helper {\nb0:\n  jmp b2\nb1:\n  %2: u8 = sub %1, 1:u8\n", text);
        Assert.EndsWith("  ret %0\n}\n", text);
        Assert.Contains("\n" + text, IrPrinter.Print(m));
    }
}
