using Baker.Compiler.IR;

namespace Baker.Compiler.Backend.Me;

// Instruction selection for trace (TraceLog.cs): the values go to the DRAM transfer registers after the record's
// header, the site's id to a12, and __trace takes the time, reserves a record in the log and writes it.
//
//     trace "n=%u t=%u", %3, %4:u64      ---->    alu[$$3, --, B, %v3]
//                                                  alu[$$4, --, B, %v4lo]
//                                                  alu[$$5, --, B, %v4hi]
//                                                  immed[a12, TRACE_f_name_0]
//                                                  bal[b15, __trace]
//
// Nothing between the moves and the call touches the transfer registers, and the routine keeps the caller's
// registers (the runtime library's conventions), so a trace costs its value words plus two instructions here.
public sealed partial class InstructionSelection
{
    /// <summary>The traces of this function selected so far: the next one's index in TraceLog.Symbol.</summary>
    private int _traces;

    private void Trace(Instruction ins)
    {
        var word = TraceLog.HeaderWords;
        for (var k = 1; k < ins.Operands.Length; k++)
        {
            var v = (Value)ins.Operands[k];
            for (var w = 0; w < (Wide(v.Type) ? 2 : 1); w++)
            {
                if (word >= TraceLog.HeaderWords + TraceLog.MaxWords)
                    throw Unsupported($"traces of more than {TraceLog.MaxWords} words of values (a record is one {TraceLog.RecordBytes}-byte DRAM write)");
                Emit(MovToPhys("$$" + word++, Word(v, w)));
            }
        }
        Emit(new MInstr("immed", [MOp.T(RetLo), MOp.T(TraceLog.Symbol(_f, _traces++))], [], []));
        CallRuntime(TraceLog.Routine);
    }
}
