namespace Baker.Runtime.Isa;

/// <summary>Static description of one mnemonic: the table the assembler, disassembler, documentation test and emulator share.</summary>
public sealed record OpInfo(string Mnemonic, Opcode Op, byte Sub, string Syntax, string Meaning, string Timing);

/// <summary>
/// The microengine instruction set as one table: every mnemonic with its syntax, one-line meaning and timing.
/// runtime/docs/me-isa.md documents the same rows in detail; a test checks that every mnemonic is documented.
/// </summary>
public static class InstructionSet
{

    public static bool TryGet(string mnemonic, out OpInfo info) => ByMnemonic.TryGetValue(mnemonic, out info!);

    public static string MnemonicOf(Instruction ins) => ins.Op switch
    {
        Opcode.Br => CondMnemonics[ins.Sub],
        Opcode.Scratch => "scratch",
        Opcode.Sram => "sram",
        Opcode.Dram => "dram",
        _ => All.First(o => o.Op == ins.Op).Mnemonic,
    };

    public static readonly string[] CondMnemonics =
    [
        "br", "br_eq", "br_ne", "br_mi", "br_pl", "br_cs", "br_cc", "br_vs", "br_vc",
        "br_hi", "br_ls", "br_ge", "br_lt", "br_gt", "br_le", "br_hs", "br_lo",
    ];

    public static readonly string[] AluOpTokens = ["+", "+carry", "-", "-carry", "B", "~B", "AND", "AND~", "OR", "XOR"];

    public static readonly string[] MemCmdTokens =
        ["read", "write", "add", "sub", "incr", "decr", "swap", "test_and_set", "test_and_clr", "set", "clr", "test_and_add", "put", "get", "wait"];

    public static readonly string[] StateTokens = ["nn_empty", "nn_full"];

    public static readonly string[] CrcTokens = ["crc_32", "crc_ccitt"];

    public static readonly string[] CsrTokens =
    [
        "active_lm_addr_0", "active_lm_addr_1", "active_ctx_sts", "timestamp_low", "timestamp_high", "crc_remainder",
        "same_me_signal", "nn_put", "nn_get", "mailbox0", "mailbox1", "mailbox2", "mailbox3", "me_number",
        "nn_wait",
    ];

    // Declared after the token tables: static fields initialise in text order and Build reads them.
    public static readonly IReadOnlyList<OpInfo> All = Build();

    private static readonly Dictionary<string, OpInfo> ByMnemonic =
        All.ToDictionary(o => o.Mnemonic, StringComparer.OrdinalIgnoreCase);

    /// <summary>Commands each memory unit accepts; DRAM only moves data.</summary>
    public static bool MemCmdAllowed(Opcode unit, MemCmd cmd) => unit switch
    {
        Opcode.Dram => cmd is MemCmd.Read or MemCmd.Write,
        _ => true,
    };

    /// <summary>Commands that return data into transfer-in registers (and so need a transfer register operand).</summary>
    public static bool MemCmdReturnsData(MemCmd cmd) => cmd is MemCmd.Read or MemCmd.Swap or MemCmd.TestAndSet
        or MemCmd.TestAndClr or MemCmd.TestAndAdd or MemCmd.Get or MemCmd.Put;

    /// <summary>Commands that consume transfer-out registers.</summary>
    public static bool MemCmdSendsData(MemCmd cmd) => cmd is MemCmd.Write or MemCmd.Add or MemCmd.Sub or MemCmd.Swap
        or MemCmd.TestAndSet or MemCmd.TestAndClr or MemCmd.Set or MemCmd.Clr or MemCmd.TestAndAdd or MemCmd.Put;

    private static List<OpInfo> Build()
    {
        const string one = "1 cycle";
        const string br = "1 cycle; taken: + branch penalty (default 3) - defer slots used";
        var l = new List<OpInfo>
        {
            new("nop", Opcode.Nop, 0, "nop", "do nothing", one),
            new("alu", Opcode.Alu, 0, "alu[dst, srcA, op, srcB]", "dst = srcA op srcB; op in + +carry - -carry B ~B AND AND~ OR XOR; sets Z N C V", one),
            new("alu_shf", Opcode.AluShf, 0, "alu_shf[dst, srcA, op, srcB, shift]", "dst = srcA op (srcB shifted); shift <<n >>n >>>n <<rotn >>rotn (n 0..31); sets flags", one),
            new("immed", Opcode.Immed, 0, "immed[dst, value]", "dst = 32-bit value; flags unchanged", one),
            new("ld_field", Opcode.LdField, 0, "ld_field[dst, mask, src, shift]", "replace the bytes of dst selected by the 4-bit mask (bit 3 = most significant byte) with those of shifted src", one),
            new("ld_field_w_clr", Opcode.LdFieldWClr, 0, "ld_field_w_clr[dst, mask, src, shift]", "as ld_field, unselected bytes become 0", one),
            new("extract", Opcode.Extract, 0, "extract[dst, src, lsb, width]", "dst = (src >> lsb) & ((1 << width) - 1); sets Z N", one),
            new("insert", Opcode.Insert, 0, "insert[dst, src, lsb, width]", "dst bits lsb..lsb+width-1 = low bits of src, others kept", one),
            new("ffs", Opcode.Ffs, 0, "ffs[dst, src]", "dst = index of the least significant set bit of src, Z set when src = 0", one),
            new("br_bset", Opcode.BrBset, 0, "br_bset[src, bit, label], defer[n]", "branch when bit of src is 1", br),
            new("br_bclr", Opcode.BrBclr, 0, "br_bclr[src, bit, label], defer[n]", "branch when bit of src is 0", br),
            new("br_ctx", Opcode.BrCtx, 0, "br_ctx[ctx, label], defer[n]", "branch when the running context is ctx", br),
            new("br_state", Opcode.BrState, 0, "br_state[state, label], defer[n]", "branch when state (nn_empty: own NN ring empty; nn_full: next ME's NN ring full) holds", br),
            new("br_nstate", Opcode.BrNState, 0, "br_nstate[state, label], defer[n]", "branch when state does not hold", br),
            new("bal", Opcode.Bal, 0, "bal[dst, label], defer[n]", "dst = address of the instruction after the defer slots; branch to label", br),
            new("rtn", Opcode.Rtn, 0, "rtn[src], defer[n]", "branch to the instruction address in src", br),
            new("ctx_arb", Opcode.CtxArb, 0, "ctx_arb[sig, ...] | ctx_arb[voluntary] | ctx_arb[kill], defer[n]", "swap out until all listed signals are set (then clear them), or yield, or stop the context", "1 cycle + context swap (default 3) - defer slots used"),
            new("scratch", Opcode.Scratch, 0, "scratch[cmd, $x, srcA, srcB, count], sig_done[s] | ctx_swap[s]", "scratch reference at byte address srcA+srcB (ring number for put/get) of count words through SRAM transfer registers", "1 cycle issue; signal after queueing + scratch latency (default 60)"),
            new("sram", Opcode.Sram, 0, "sram[cmd, $x, srcA, srcB, count], sig_done[s] | ctx_swap[s]", "SRAM reference, as scratch", "1 cycle issue; signal after queueing + SRAM latency (default 90)"),
            new("dram", Opcode.Dram, 0, "dram[read|write, $$x, srcA, srcB, count], sig_done[s] | ctx_swap[s]", "DRAM reference of count 8-byte units (1..8) through DRAM transfer registers", "1 cycle issue; signal after queueing + DRAM latency (default 120)"),
            new("hash", Opcode.Hash, 0, "hash[$x, count], sig_done[s] | ctx_swap[s]", "hash unit: transfer-in[$x+i] = H(transfer-out[$x+i]) for i < count (1..3)", "1 cycle issue; signal after hash latency (default 20)"),
            new("cam_lookup", Opcode.CamLookup, 0, "cam_lookup[dst, src]", "look src up in the 16-entry CAM: dst = state<<8 | hit<<7 | entry<<3 (LRU entry on a miss); hit entry becomes MRU", one),
            new("cam_write", Opcode.CamWrite, 0, "cam_write[entry, src, state]", "CAM entry (register or 0..15) = tag src, state 0..15; entry becomes MRU", one),
            new("cam_read_tag", Opcode.CamReadTag, 0, "cam_read_tag[dst, entry]", "dst = tag of CAM entry", one),
            new("cam_clear", Opcode.CamClear, 0, "cam_clear", "invalidate every CAM entry", one),
            new("crc_be", Opcode.Crc, 0, "crc_be[crc_32|crc_ccitt, dst, src]", "fold the 4 bytes of src (big-endian) into the crc_remainder CSR; dst = src", one),
            new("local_csr_rd", Opcode.LocalCsrRd, 0, "local_csr_rd[dst, csr]", "dst = local CSR", one),
            new("local_csr_wr", Opcode.LocalCsrWr, 0, "local_csr_wr[csr, src]", "local CSR = src (active_lm_addr_N usable 3 cycles later)", one),
            new("halt", Opcode.Halt, 0, "halt", "stop the whole microengine", one),
        };
        for (var c = 0; c < CondMnemonics.Length; c++)
            l.Add(new(CondMnemonics[c], Opcode.Br, (byte)c, CondMnemonics[c] + "[label], defer[n]",
                c == 0 ? "branch always" : "branch when condition " + CondMnemonics[c][3..] + " holds on the flags", br));
        return l;
    }
}
