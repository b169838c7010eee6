using Baker.Compiler.Driver;
using Baker.Compiler.IR;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Lowering;

/// <summary>Every valid program lowers, verifies after every pass, and its IR round-trips through the text form.</summary>
public class LoweringTests
{
    private static IEnumerable<string> Names() =>
        Directory.GetFiles(Repo.Path("tests", "frontend", "valid"), "*.baker").Order().Select(f => Path.GetFileName(f)!);

    public static TheoryData<string> Programs() => new(Names());

    private static CompileResult Compile(string name, CompileOptions options)
    {
        var r = Compilation.Compile([Repo.Path("tests", "frontend", "valid", name)], options);
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        return r;
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void LowersVerifiesAndRoundTripsAfterEveryPass(string name)
    {
        var r = Compile(name, new CompileOptions { DumpAfter = new HashSet<string> { "all" } });
        Assert.Equal(Pipeline.Passes.Count, r.Dumps.Count);
        foreach (var dump in r.Dumps)
        {
            var parsed = IrParser.Parse(dump.Text, $"{name} after {dump.Pass}");
            Assert.Empty(IrVerifier.Verify(parsed));
            var again = IrPrinter.Print(parsed);
            Assert.True(dump.Text == again, $"after {dump.Pass}: the printed IR does not print back identically\n" + Snapshot.Diff(dump.Text, again));
        }
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void LoweringIsDeterministic(string name)
    {
        var a = Compile(name, new CompileOptions());
        var b = Compile(name, new CompileOptions());
        Assert.Equal(IrPrinter.Print(a.Module!), IrPrinter.Print(b.Module!));
    }

    [Fact]
    public void SimplifyCfgLeavesNoJumpOnlyOrUnreachableBlocks()
    {
        foreach (var name in Names())
        {
            var module = Compile(name, new CompileOptions()).Module!;
            foreach (var f in module.Functions)
            {
                var preds = Baker.Compiler.Passes.SimplifyCfg.Predecessors(f);
                foreach (var block in f.Blocks.Skip(1))
                {
                    Assert.True(preds[block].Count > 0, $"{name} @{f.Name}: unreachable block left");
                    Assert.False(block.Instructions is [{ Op: Op.Jmp }], $"{name} @{f.Name}: a jump-only block left");
                }
            }
        }
    }

    [Fact]
    public void EachInstanceGetsItsOwnFunctionsAndState()
    {
        // mirror.baker / l3_switch.baker instantiate PPFs through modules; every function and state object is per instance path.
        var module = Compile("l3_switch.baker", new CompileOptions()).Module!;
        foreach (var inst in module.Instances)
        {
            foreach (var e in inst.Endpoints.Where(e => e.IsInput))
                Assert.Equal($"{inst.Path}.process.{e.Name}", e.Process!.Name);
            Assert.All(inst.Controls, c => Assert.StartsWith(inst.Path + ".", c.Name));
        }
        Assert.All(module.Objects.Where(o => o.Kind == StorageKind.State), o => Assert.StartsWith(o.Owner + ".", o.Name));
    }
}
