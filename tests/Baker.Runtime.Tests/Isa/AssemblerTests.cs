using System.Text;
using System.Text.RegularExpressions;
using Baker.Runtime.Isa;

namespace Baker.Runtime.Tests.Isa;

public class AssemblerTests
{
    private static string CasesDir(string sub) => Path.Combine(AppContext.BaseDirectory, "Isa", sub);

    public static TheoryData<string> ErrorCases()
    {
        var d = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(CasesDir("Errors"), "*.uasm").OrderBy(x => x, StringComparer.Ordinal)) d.Add(Path.GetFileName(f));
        return d;
    }

    /// <summary>Each file under Isa/Errors must fail with exactly the '; error CODE line N' diagnostics it lists.</summary>
    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void ErrorCase(string file)
    {
        var text = File.ReadAllText(Path.Combine(CasesDir("Errors"), file));
        var expected = Regex.Matches(text, @"; error (BK\d+) line (\d+)").Select(m => $"{m.Groups[1].Value}@{m.Groups[2].Value}").OrderBy(x => x).ToList();
        Assert.NotEmpty(expected);
        var r = Assembler.Assemble(text, file);
        Assert.False(r.Success);
        Assert.Null(r.Image);
        var actual = r.Diagnostics.Select(d => $"{d.Code}@{d.Line}").OrderBy(x => x).ToList();
        Assert.True(expected.SequenceEqual(actual), $"expected [{string.Join(", ", expected)}]\nactual:\n{string.Join("\n", r.Diagnostics)}");
    }

    [Fact]
    public void DiagnosticsNameFileLineColumnAndCode()
    {
        var r = Assembler.Assemble(".me 0\n    alu[a0, a1, +, a2]\n", "x.uasm");
        var d = Assert.Single(r.Diagnostics);
        Assert.StartsWith("x.uasm(2,5): error BK5103: 'alu': both operands are in GPR bank A", d.ToString());
    }

    public static TheoryData<string> AllCases()
    {
        var d = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(CasesDir("Cases"), "*.uasm").OrderBy(x => x, StringComparer.Ordinal)) d.Add(Path.GetFileName(f));
        return d;
    }

    /// <summary>assemble → disassemble → assemble gives the same image bytes, and disassembly is a fixed point.</summary>
    [Theory]
    [MemberData(nameof(AllCases))]
    public void RoundTrip(string file)
    {
        var r1 = Assembler.Assemble(File.ReadAllText(Path.Combine(CasesDir("Cases"), file)), file);
        Assert.True(r1.Success, string.Join("\n", r1.Diagnostics));
        var bytes1 = ImageFile.ToBytes(r1.Image!);
        var text2 = Disassembler.Disassemble(ImageFile.Read(bytes1, file));
        var r2 = Assembler.Assemble(text2, file + ".dis");
        Assert.True(r2.Success, string.Join("\n", r2.Diagnostics) + "\n" + text2);
        Assert.Equal(bytes1, ImageFile.ToBytes(r2.Image!));
        Assert.Equal(text2, Disassembler.Disassemble(r2.Image!));
    }

    [Fact]
    public void DisassemblyShowsLabelsAndCanonicalForms()
    {
        var r = Assembler.Assemble(".me 2\n.ctx 0,2\n.reg x = b3\ntop: alu_shf[a1, --, B, x, >>rot5]\n    br_ne[top], defer[1]\n    nop\n    scratch[get, $1, --, 4, 2], ctx_swap[3]\n", "t");
        Assert.True(r.Success, string.Join("\n", r.Diagnostics));
        var text = Disassembler.Disassemble(r.Image!);
        Assert.Equal(".me 2\n.ctx 0,2\ntop:\n    alu_shf[a1, --, B, b3, >>rot5]\n    br_ne[top], defer[1]\n    nop\n    scratch[get, $1, --, 4, 2], ctx_swap[sig3]\n", text);
    }

    [Fact]
    public void ControlStoreOverflowIsRefused()
    {
        var sb = new StringBuilder(".me 0\n");
        for (var i = 0; i < 4097; i++) sb.Append("    nop\n");
        var r = Assembler.Assemble(sb.ToString(), "big.uasm");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(Assembler.ErrControlStore, d.Code);
        Assert.Contains("4097 instructions do not fit the control store of 4096", d.Message);
        sb.Clear().Append(".me 0\n");
        for (var i = 0; i < 4096; i++) sb.Append("    nop\n");
        Assert.True(Assembler.Assemble(sb.ToString(), "fits.uasm").Success);
    }

    [Fact]
    public void LoaderRefusesAnImageBiggerThanTheMachinesControlStore()
    {
        var sb = new StringBuilder(".me 0\n");
        for (var i = 0; i < 100; i++) sb.Append("    nop\n");
        var image = Assembler.Assemble(sb.ToString(), "x").Image!;
        var m = Machine.MachineDescription.Default();
        m.Microengines.ControlStoreSize = 64;
        var chip = new Machine.Chip(m);
        var e = Assert.Throws<Memory.EmulatorException>(() => chip.Load(image));
        Assert.Contains("ME 0: image has 100 instructions, the control store holds 64", e.Message);
    }

    [Fact]
    public void EveryMnemonicIsDocumented()
    {
        var doc = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "me-isa.md"));
        foreach (var op in InstructionSet.All)
            Assert.True(doc.Contains("`" + op.Mnemonic + "`", StringComparison.Ordinal) || doc.Contains("`" + op.Mnemonic + "[", StringComparison.Ordinal),
                $"runtime/docs/me-isa.md does not document '{op.Mnemonic}'");
    }
}

public class ImageFileTests
{
    private static MicrocodeImage Sample()
    {
        var r = Assembler.Assemble(".ring sram 3 base=0x400 size=8\n.data dram 0x40 = 1, 2\n.counter drops scratch 0x3000\n.me 1\n.ctx 0-3\nl: alu[a0, a1, +, b2]\n br[l]\n", "s");
        Assert.True(r.Success, string.Join("\n", r.Diagnostics));
        return r.Image!;
    }

    [Fact]
    public void WriteThenReadGivesTheSameImage()
    {
        var bytes = ImageFile.ToBytes(Sample());
        var back = ImageFile.Read(bytes, "s.img");
        Assert.Equal(bytes, ImageFile.ToBytes(back));
        Assert.Equal(1, back.Mes[0].Me);
        Assert.Equal(0x0f, back.Mes[0].ContextMask);
        Assert.Equal(new RingDecl(Memory.MemorySpace.Sram, 3, 0x400, 8), back.Rings[0]);
        Assert.Equal("drops", back.Counters[0].Name);
    }

    [Fact]
    public void BadMagicIsReported()
    {
        var e = Assert.Throws<ImageFormatException>(() => ImageFile.Read("NOTANIMAGEFILE"u8.ToArray(), "x.img"));
        Assert.Contains("bad magic at byte offset 0", e.Message);
    }

    [Fact]
    public void TruncationNamesTheByteOffset()
    {
        var bytes = ImageFile.ToBytes(Sample());
        for (var cut = 9; cut < bytes.Length; cut += 7)
        {
            var e = Assert.Throws<ImageFormatException>(() => ImageFile.Read(bytes[..cut], "t.img"));
            Assert.Matches("byte offset \\d+", e.Message);
        }
    }

    [Fact]
    public void UnknownOpcodeIsReported()
    {
        var bytes = ImageFile.ToBytes(Sample());
        // The first instruction record starts after magic(8) + count(4) + kind(1) + len(4) + me(4) + mask(1) + n(4).
        var at = 8 + 4 + 1 + 4 + 4 + 1 + 4;
        bytes[at] = 0xee;
        var e = Assert.Throws<ImageFormatException>(() => ImageFile.Read(bytes, "t.img"));
        Assert.Contains($"unknown opcode 238 at byte offset {at}", e.Message);
    }
}
