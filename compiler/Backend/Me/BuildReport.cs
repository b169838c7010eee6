using System.Globalization;
using System.Text;
using Baker.Compiler.IR;
using Baker.Runtime.Isa;
using Baker.Runtime.Machine;

namespace Baker.Compiler.Backend.Me;

/// <summary>
/// What a build of an app for the chip took (compiler/docs/me-backend.md, "Build report"): the ring each channel
/// became; per ME its aggregate
/// (the instances placed on it), the control store it fills, its local-memory and slot stacks; per function its
/// instructions, spills, frame and bank moves. Instruction counts come from the assembled image, so they are
/// what the control store holds.
/// </summary>
public static class BuildReport
{
    /// <summary>One ME's figures.</summary>
    public sealed record MeFigures(int Me, IReadOnlyList<string> Instances, int Instructions, int Runtime, IReadOnlyList<(MFunction Function, int Instructions)> Functions, int StackWords, int SlotStackBytes);

    public static IReadOnlyList<MeFigures> Figures(IrModule module, Placement placement, MeBuild build, MicrocodeImage image) =>
        image.Mes.Select(code =>
        {
            var program = build.PerMe[code.Me];
            var at = code.Labels.GroupBy(l => l.Name).ToDictionary(g => g.Key, g => g.First().Address);
            // Each ME's code is the dispatch loop, the runtime library, then the functions in the order listed.
            var starts = program.Functions.Select(f => at[f.Label]).Append(code.Code.Length).ToList();
            var functions = program.Functions.Select((f, k) => (f, starts[k + 1] - starts[k])).ToList();
            return new MeFigures(code.Me, placement.On(module, code.Me), code.Code.Length, starts[0], functions, program.StackWords, program.SlotStackBytes);
        }).ToList();

    public static string Write(IrModule module, MachineDescription machine, Placement placement, MeBuild build, MicrocodeImage image)
    {
        var figures = Figures(module, placement, build, image);
        var store = machine.Microengines.ControlStoreSize;
        var sb = new StringBuilder();
        void Line(FormattableString s) => sb.Append(s.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Line($"Build report: {module.App} on {machine.Name}");
        Line($"machine: {machine.Microengines.Count} microengines x {MemoryMap.Contexts} contexts, control store {store} instructions, local-memory stack {FrameLayout.WordsPerContext} words per context");
        Line($"SRAM: {module.Objects.Count} storage objects at 0x{build.Map.ObjectsBase:x}..0x{build.Map.SlotStacks:x}, slot stacks {build.Map.SlotStackBytes} bytes per context from 0x{build.Map.SlotStacks:x}, packet records from 0x{build.Map.Records:x}");
        // Where each channel's packets travel: which became next-neighbor rings is a placement's outcome (ProgramBuilder.NnRings).
        Line($"channels:");
        var width0 = module.Channels.Select(c => c.ToString().Length).DefaultIfEmpty(0).Max();
        foreach (var c in module.Channels)
        {
            var key = c.To.IsDriver ? null : ProgramBuilder.RingKey(module, c);
            var how = c.To.IsDriver ? "transmit ring of the packet's out_port"
                : build.NnInputs.TryGetValue(key!, out var to) ? $"next-neighbor ring, ME {placement.MeOf[c.From.Instance!]} -> ME {to}"
                : c.From.IsDriver ? $"receive ring (scratch {build.InputRings[key!]})"
                : $"scratch ring {build.InputRings[key!]}";
            Line($"  {c.ToString().PadRight(width0)}  {how}");
        }
        foreach (var me in figures)
        {
            sb.Append('\n');
            Line($"ME {me.Me} runs {string.Join(", ", me.Instances)}");
            Line($"  control store       {me.Instructions,6} / {store} instructions ({100.0 * me.Instructions / store:F1}%): dispatch loop and runtime library {me.Runtime}, functions {me.Instructions - me.Runtime}");
            Line($"  local-memory stack  {me.StackWords,6} / {FrameLayout.WordsPerContext} words per context");
            Line($"  slot stack          {me.SlotStackBytes,6} bytes per context (SRAM)");
            var width = Math.Max("function".Length, me.Functions.Select(f => f.Function.Name.Length + 1).DefaultIfEmpty(0).Max());
            Line($"  {"function".PadRight(width)}  instructions  spills  frame words  bank moves");
            foreach (var (f, n) in me.Functions)
                Line($"  {("@" + f.Name).PadRight(width)}  {n,12}  {f.Spills,6}  {f.FrameWords,11}  {f.BankMoves,10}");
        }
        sb.Append('\n');
        Line($"total: {figures.Count} MEs, {figures.Sum(f => f.Instructions)} instructions, {figures.Sum(f => f.Functions.Sum(x => x.Function.Spills))} spills in {figures.Sum(f => f.Functions.Count)} functions");
        return sb.ToString();
    }

    /// <summary>A few lines for the terminal: per ME the control store it fills and its instances.</summary>
    public static string Summary(IrModule module, MachineDescription machine, Placement placement, MeBuild build, MicrocodeImage image)
    {
        var figures = Figures(module, placement, build, image);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{module.App} on {machine.Name}: {figures.Count} MEs, {figures.Sum(f => f.Instructions)} instructions, {figures.Sum(f => f.Functions.Sum(x => x.Function.Spills))} spills\n");
        foreach (var me in figures)
            sb.Append(CultureInfo.InvariantCulture, $"  ME {me.Me}  {me.Instructions,5} / {machine.Microengines.ControlStoreSize} instructions  {string.Join(", ", me.Instances)}\n");
        return sb.ToString();
    }
}
