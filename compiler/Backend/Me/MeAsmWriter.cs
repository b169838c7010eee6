using System.Text;

namespace Baker.Compiler.Backend.Me;

/// <summary>Prints allocated machine functions as .uasm text: the frame constants, then each function's blocks.</summary>
public static class MeAsmWriter
{
    public static string Constants(IEnumerable<MFunction> functions)
    {
        var sb = new StringBuilder();
        foreach (var f in functions)
        {
            sb.Append(".equ ").Append(RegisterAllocation.FrameSymbol(f)).Append(" = ").Append(f.FrameOffset * 4).Append('\n');
            if (f.SlotBytes > 0) sb.Append(".equ ").Append(InstructionSelection.SlotSymbol(f)).Append(" = ").Append(f.SlotOffset).Append('\n');
        }
        return sb.ToString();
    }

    public static string Code(IEnumerable<MFunction> functions)
    {
        var sb = new StringBuilder();
        foreach (var f in functions)
        {
            sb.Append("; @").Append(f.Name).Append(": frame ").Append(f.FrameWords).Append(" words at ").Append(f.FrameOffset)
              .Append(", ").Append(f.Spills).Append(" spills, ").Append(f.BankMoves).Append(" bank moves\n");
            foreach (var b in f.Blocks)
            {
                sb.Append(b.Label).Append(":\n");
                foreach (var i in b.Instrs) sb.Append("    ").Append(i).Append('\n');
            }
        }
        return sb.ToString();
    }
}
