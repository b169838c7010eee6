using System.Globalization;
using System.Text.RegularExpressions;
using Baker.Runtime.Isa;
using Baker.Runtime.Machine;
using Baker.Runtime.Memory;

namespace Baker.Runtime.Tests.Isa;

/// <summary>
/// Runs a .uasm case file: assemble, load on the default chip, run until every ME halts, then check the
/// '; expect' lines. Forms: 'NAME = V' where NAME is [meN.][ctxN.]register (a3, b1, @a20, $2, $$1, n4),
/// 'cycles' (time ME 0 halted), 'instructions' (ME 0), 'stalled' (ME 0 stalled cycles), 'flags' (ZNCV bits),
/// 'lm[W]', 'scratch[A]', 'sram[A]', 'dram[A]' (words), 'xout[N]' (transfer-out register of ctx 0), 'mailbox0'.
/// '; machine PATH = V' sets a machine parameter (e.g. dram.latencyCycles).
/// </summary>
public static partial class CaseRunner
{
    public sealed record Outcome(Chip Chip, List<string> Failures);

    public static Outcome Run(string path)
    {
        var text = File.ReadAllText(path);
        var machine = MachineDescription.Default();
        foreach (Match m in MachineRx().Matches(text)) SetMachine(machine, m.Groups[1].Value, m.Groups[2].Value.Trim());
        var asm = Assembler.Assemble(text, path);
        Assert.True(asm.Success, string.Join("\n", asm.Diagnostics));
        var chip = new Chip(machine);
        chip.Load(asm.Image!);
        chip.Run(10_000_000);
        var failures = new List<string>();
        foreach (Match m in ExpectRx().Matches(text))
        {
            var name = m.Groups[1].Value.Trim();
            var expected = ParseNumber(m.Groups[2].Value.Trim());
            var actual = Read(chip, name);
            if (actual != expected) failures.Add($"{name}: expected {expected} (0x{expected:x}), got {actual} (0x{actual:x})");
        }
        return new Outcome(chip, failures);
    }

    [GeneratedRegex(@"^\s*;\s*expect\s+([^=\n]+?)\s*=\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ExpectRx();

    [GeneratedRegex(@"^\s*;\s*machine\s+([\w.]+)\s*=\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex MachineRx();

    public static long ParseNumber(string s)
    {
        var neg = s.StartsWith('-');
        if (neg) s = s[1..];
        var v = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.Parse(s[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.Parse(s, CultureInfo.InvariantCulture);
        return neg ? -v : v;
    }

    private static void SetMachine(MachineDescription m, string path, string value)
    {
        object target = m;
        var parts = path.Split('.');
        foreach (var p in parts[..^1])
            target = target.GetType().GetProperties().Single(x => x.Name.Equals(p, StringComparison.OrdinalIgnoreCase)).GetValue(target)!;
        var prop = target.GetType().GetProperties().Single(x => x.Name.Equals(parts[^1], StringComparison.OrdinalIgnoreCase));
        prop.SetValue(target, Convert.ChangeType(ParseNumber(value), prop.PropertyType, CultureInfo.InvariantCulture));
    }

    private static long Read(Chip chip, string name)
    {
        var me = 0;
        var ctx = 0;
        var m = Regex.Match(name, @"^me(\d+)\.(.*)$");
        if (m.Success) { me = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture); name = m.Groups[2].Value; }
        m = Regex.Match(name, @"^ctx(\d+)\.(.*)$");
        if (m.Success) { ctx = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture); name = m.Groups[2].Value; }
        var e = chip.Microengines[me];
        switch (name)
        {
            case "cycles": return e.Now;
            case "instructions": return e.Instructions;
            case "stalled": return e.StalledCycles;
            case "idle": return e.IdleCycles;
            case "flags": return e.Flags(ctx);
            case "mailbox0": return e.Mailbox(0);
            case "pc": return e.ContextPc(ctx);
        }
        m = Regex.Match(name, @"^(lm|scratch|sram|dram|xout|dxout)\[(\w+)\]$");
        if (m.Success)
        {
            var a = (uint)ParseNumber(m.Groups[2].Value);
            return m.Groups[1].Value switch
            {
                "lm" => e.ReadLocalMemory((int)a),
                "scratch" => chip.ReadWord(MemorySpace.Scratch, a),
                "sram" => chip.ReadWord(MemorySpace.Sram, a),
                "dram" => chip.ReadWord(MemorySpace.Dram, a),
                "xout" => e.ReadXferOut(ctx, (int)a, dram: false),
                _ => e.ReadXferOut(ctx, (int)a, dram: true),
            };
        }
        var asm = Assembler.Assemble($".me 0\n alu[{name}, --, B, 0]\n", "probe");
        Assert.True(asm.Success, $"cannot read '{name}' in an expectation");
        return e.ReadRegister(ctx, asm.Image!.Mes[0].Code[0].Dst);
    }
}

public class IsaCaseTests
{
    public static TheoryData<string> Cases()
    {
        var d = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Isa", "Cases"), "*.uasm").OrderBy(x => x, StringComparer.Ordinal))
            d.Add(Path.GetFileName(f));
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case(string file)
    {
        var outcome = CaseRunner.Run(Path.Combine(AppContext.BaseDirectory, "Isa", "Cases", file));
        Assert.True(outcome.Failures.Count == 0, file + ":\n" + string.Join("\n", outcome.Failures));
    }

    [Fact]
    public void EveryCaseHasExpectations()
    {
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Isa", "Cases"), "*.uasm"))
            Assert.Contains("; expect", File.ReadAllText(f));
    }
}
