using System.Globalization;
using System.Text;
using Baker.Runtime.Memory;

namespace Baker.Runtime.Isa;

/// <summary>
/// Prints an image in the assembler's text form. Assembling the output gives back the same image
/// (the round-trip property tested in the runtime tests); register aliases and comments are not kept.
/// </summary>
public static class Disassembler
{
    public static string Disassemble(MicrocodeImage image)
    {
        var sb = new StringBuilder();
        foreach (var r in image.Rings)
            sb.Append(CultureInfo.InvariantCulture, $".ring {MemorySpaceNames.Name(r.Space)} {r.Id} base=0x{r.Base:x} size={r.SizeWords}\n");
        foreach (var d in image.Data)
            sb.Append(CultureInfo.InvariantCulture, $".data {MemorySpaceNames.Name(d.Space)} 0x{d.Address:x} = {string.Join(", ", d.Words.Select(w => "0x" + w.ToString("x", CultureInfo.InvariantCulture)))}\n");
        foreach (var c in image.Counters)
            sb.Append(CultureInfo.InvariantCulture, $".{(c.Drop ? "drop" : "counter")} {c.Name} {MemorySpaceNames.Name(c.Space)} 0x{c.Address:x}\n");
        foreach (var me in image.Mes)
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(CultureInfo.InvariantCulture, $".me {me.Me}\n");
            sb.Append(".ctx ").Append(ContextList(me.ContextMask)).Append('\n');
            var names = LabelNames(me);
            var byAddr = me.Labels.ToLookup(l => l.Address);
            for (var pc = 0; pc < me.Code.Length; pc++)
            {
                foreach (var l in byAddr[pc]) sb.Append(l.Name).Append(":\n");
                if (!byAddr[pc].Any() && names.TryGetValue(pc, out var gen) && !me.Labels.Any(l => l.Name == gen))
                    sb.Append(gen).Append(":\n");
                sb.Append("    ").Append(Format(me.Code[pc], names)).Append('\n');
            }
            foreach (var l in byAddr[me.Code.Length]) sb.Append(l.Name).Append(":\n");
        }
        return sb.ToString();
    }

    private static string ContextList(byte mask)
    {
        var ctxs = Enumerable.Range(0, 8).Where(c => (mask >> c & 1) != 0).ToList();
        if (ctxs.Count == 0) return "";
        var contiguous = ctxs[^1] - ctxs[0] + 1 == ctxs.Count;
        if (contiguous) return ctxs.Count == 1 ? ctxs[0].ToString(CultureInfo.InvariantCulture) : $"{ctxs[0]}-{ctxs[^1]}";
        return string.Join(",", ctxs);
    }

    /// <summary>Name for each branch target: the first label at that address, or a generated one for images built by hand.</summary>
    private static Dictionary<int, string> LabelNames(MeCode me)
    {
        var names = new Dictionary<int, string>();
        foreach (var l in me.Labels) names.TryAdd(l.Address, l.Name);
        foreach (var i in me.Code)
            if (i.Target >= 0 && !names.ContainsKey(i.Target)) names[i.Target] = "L" + i.Target.ToString(CultureInfo.InvariantCulture);
        return names;
    }

    /// <summary>One instruction in assembler syntax; branch targets print as labels when <paramref name="labels"/> has them.</summary>
    public static string Format(Instruction i, IReadOnlyDictionary<int, string>? labels = null)
    {
        string T(int pc) => labels is not null && labels.TryGetValue(pc, out var n) ? n : "L" + pc.ToString(CultureInfo.InvariantCulture);
        var body = i.Op switch
        {
            Opcode.Nop => "nop",
            Opcode.Halt => "halt",
            Opcode.CamClear => "cam_clear",
            Opcode.Alu => $"alu[{i.Dst}, {i.A}, {InstructionSet.AluOpTokens[i.Sub]}, {i.B}]",
            Opcode.AluShf => $"alu_shf[{i.Dst}, {i.A}, {InstructionSet.AluOpTokens[i.Sub]}, {i.B}, {Shift(i.Imm)}]",
            Opcode.Immed => $"immed[{i.Dst}, {AsmFormat.Number(i.Imm)}]",
            Opcode.LdField or Opcode.LdFieldWClr =>
                $"{(i.Op == Opcode.LdField ? "ld_field" : "ld_field_w_clr")}[{i.Dst}, {Convert.ToString(i.Sub, 2).PadLeft(4, '0')}, {i.B}{(i.Imm != 0 ? ", " + Shift(i.Imm) : "")}]",
            Opcode.Extract => $"extract[{i.Dst}, {i.A}, {i.Imm}, {i.Imm2}]",
            Opcode.Insert => $"insert[{i.Dst}, {i.A}, {i.Imm}, {i.Imm2}]",
            Opcode.Ffs => $"ffs[{i.Dst}, {i.B}]",
            Opcode.Br => $"{InstructionSet.CondMnemonics[i.Sub]}[{T(i.Target)}]",
            Opcode.BrBset => $"br_bset[{i.A}, {i.Imm}, {T(i.Target)}]",
            Opcode.BrBclr => $"br_bclr[{i.A}, {i.Imm}, {T(i.Target)}]",
            Opcode.BrCtx => $"br_ctx[{i.Imm}, {T(i.Target)}]",
            Opcode.BrState => $"br_state[{InstructionSet.StateTokens[i.Sub]}, {T(i.Target)}]",
            Opcode.BrNState => $"br_nstate[{InstructionSet.StateTokens[i.Sub]}, {T(i.Target)}]",
            Opcode.Bal => $"bal[{i.Dst}, {T(i.Target)}]",
            Opcode.Rtn => $"rtn[{i.A}]",
            Opcode.CtxArb => (i.Flags & InstrFlags.Voluntary) != 0 ? "ctx_arb[voluntary]"
                : (i.Flags & InstrFlags.Kill) != 0 ? "ctx_arb[kill]"
                : "ctx_arb[" + string.Join(", ", Enumerable.Range(1, 15).Where(s => (i.SigMask >> s & 1) != 0).Select(s => "sig" + s)) + "]",
            Opcode.Scratch or Opcode.Sram or Opcode.Dram =>
                $"{InstructionSet.MnemonicOf(i)}[{InstructionSet.MemCmdTokens[i.Sub]}, {i.Dst}, {i.A}, {i.B}, {i.Imm}]",
            Opcode.Hash => $"hash[{i.Dst}, {i.Imm}]",
            Opcode.CamLookup => $"cam_lookup[{i.Dst}, {i.B}]",
            Opcode.CamWrite => $"cam_write[{i.A}, {i.B}, {i.Imm}]",
            Opcode.CamReadTag => $"cam_read_tag[{i.Dst}, {i.A}]",
            Opcode.Crc => $"crc_be[{InstructionSet.CrcTokens[i.Sub]}, {i.Dst}, {i.B}]",
            Opcode.LocalCsrRd => $"local_csr_rd[{i.Dst}, {InstructionSet.CsrTokens[i.Imm]}]",
            Opcode.LocalCsrWr => $"local_csr_wr[{InstructionSet.CsrTokens[i.Imm]}, {i.B}]",
            _ => $"; unknown opcode {(int)i.Op}",
        };
        if (i.Signal != 0) body += ((i.Flags & InstrFlags.CtxSwap) != 0 ? ", ctx_swap[sig" : ", sig_done[sig") + i.Signal + "]";
        if (i.Defer != 0) body += ", defer[" + i.Defer + "]";
        return body;
    }

    private static string Shift(int packed)
    {
        var n = packed & 31;
        return (ShiftKind)(packed >> 8) switch
        {
            ShiftKind.Left => "<<" + n,
            ShiftKind.Right => ">>" + n,
            ShiftKind.ArithRight => ">>>" + n,
            ShiftKind.RotLeft => "<<rot" + n,
            ShiftKind.RotRight => ">>rot" + n,
            _ => "<<0",
        };
    }
}
