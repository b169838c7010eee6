using Baker.Compiler.IR;

namespace Baker.Compiler.Interpreter;

public sealed record InterpreterOptions
{
    /// <summary>Collect a profile (block counts, ops per packet, channel and memory traffic).</summary>
    public bool Profile { get; init; }
    /// <summary>Branches one packet may take in one PPF invocation before it is dropped (reason step_limit): no input hangs the run.</summary>
    public long StepLimit { get; init; } = 10_000_000;
    /// <summary>The same for one init or control call: control-plane work is legitimately long (a bulk FIB
    /// commit recompresses tens of thousands of chunks), but still not endless.</summary>
    public long ControlStepLimit { get; init; } = 1_000_000_000;
    /// <summary>Channels one packet may cross (reason hop_limit): a packet going round a cycle forever is dropped.</summary>
    public int HopLimit { get; init; } = 256;
    /// <summary>Packets waiting in the run queue at once (reason queue_full): a body that multiplies packets cannot exhaust memory.</summary>
    public int QueueLimit { get; init; } = 1 << 16;
    /// <summary>Receives each transmitted frame as it leaves; when set, frames are not also kept in <see cref="RunResult.Outputs"/>
    /// (a long run then holds no output in memory).</summary>
    public Action<OutputFrame>? OnTransmit { get; init; }
}

/// <summary>
/// The reference interpreter: executes the IR of an app. Memory is one flat byte array holding every
/// global, every instance's state and every function's frame slots at fixed addresses (pointers are
/// 32-bit addresses into it); packets live apart, addressed by handles (packet id, header offset).
/// This file prepares the code; execution is in the other parts.
/// </summary>
public sealed partial class IrInterpreter
{
    private readonly IrModule module;
    private readonly InterpreterOptions options;
    private readonly byte[] memory;
    private readonly Dictionary<StorageObject, int> addresses = new();
    private readonly CompiledFunction[] functions;
    private readonly Dictionary<IrFunction, CompiledFunction> byIr = new();
    /// <summary>For each instance, output endpoint name → channel id.</summary>
    private readonly Dictionary<string, int>[] outputChannels;
    private readonly int inPortField, outPortField;
    private readonly CompiledFunction?[] channelTargets;
    private readonly int rxChannel;

    public IrInterpreter(IrModule module, InterpreterOptions? options = null)
    {
        this.module = module;
        this.options = options ?? new InterpreterOptions();
        int next = 16;   // address 0 is never an object
        int Place(StorageObject o)
        {
            int align = Math.Max(1, o.Align);
            next = (next + align - 1) / align * align;
            addresses[o] = next;
            next += Math.Max(o.Size, 1);
            return addresses[o];
        }
        foreach (var o in module.Objects) Place(o);
        var slotRanges = new List<(int Base, int Size)>();
        foreach (var f in module.Functions)
        {
            int start = next;
            foreach (var s in f.Slots) Place(s);
            slotRanges.Add((start, next - start));
        }
        memory = new byte[next + 16];
        foreach (var o in module.Objects.Where(o => o.InitType != IrType.Void))
            Store(addresses[o], o.InitType, o.InitValue);

        functions = new CompiledFunction[module.Functions.Count];
        for (int i = 0; i < functions.Length; i++)
        {
            var f = module.Functions[i];
            functions[i] = new CompiledFunction(f, i)
            {
                SlotBase = slotRanges[i].Base,
                SlotSize = slotRanges[i].Size,
                Instance = f.Instance is null ? -1 : module.Instances.FindIndex(x => x.Path == f.Instance),
            };
            byIr[f] = functions[i];
        }
        outputChannels = module.Instances.Select(inst =>
            module.Channels.Where(c => c.From.Instance == inst.Path).ToDictionary(c => c.From.Endpoint!, c => c.Id)).ToArray();
        foreach (var f in functions) Compile(f);
        inPortField = module.Metadata.FindIndex(m => m.Name == "in_port");
        outPortField = module.Metadata.FindIndex(m => m.Name == "out_port");
        profile = this.options.Profile ? new ProfileCounters(module) : null;
        profile?.SetAddresses(o => addresses[o]);
        // Where each channel leads: the process function of its target, or null for tx.
        channelTargets = new CompiledFunction?[module.Channels.Count == 0 ? 0 : module.Channels.Max(c => c.Id) + 1];
        foreach (var c in module.Channels)
            if (!c.To.IsDriver && module.Instance(c.To.Instance!)?.Endpoint(c.To.Endpoint!)?.Process is { } process)
                channelTargets[c.Id] = byIr[process];
        rxChannel = module.Channels.Find(c => c.From.IsDriver)?.Id ?? -1;
    }

    /// <summary>The flat-memory address of a storage object (for tests and the profiler).</summary>
    public int AddressOf(StorageObject o) => addresses[o];

    private void Compile(CompiledFunction cf)
    {
        var f = cf.Ir;
        var regs = new Dictionary<Value, int>();
        var constants = new Dictionary<(IrType, ulong), int>();
        int nextReg = 0;
        var registerValues = new List<ulong>();
        int Reg(Value v)
        {
            if (v is Constant c)
            {
                // One register per distinct constant; the register file is filled with them once.
                if (constants.TryGetValue((c.Type, c.Bits), out var k)) return k;
                constants[(c.Type, c.Bits)] = nextReg;
                registerValues.Add(c.Bits);
                return nextReg++;
            }
            if (!regs.TryGetValue(v, out var r))
            {
                regs[v] = r = nextReg++;
                registerValues.Add(0);
            }
            return r;
        }
        cf.ParamRegs = f.Params.Select(p => Reg(p)).ToArray();

        var blockStart = new Dictionary<Block, int>();
        var blockIndex = new Dictionary<Block, int>();
        int pc = 0;
        for (int i = 0; i < f.Blocks.Count; i++)
        {
            blockStart[f.Blocks[i]] = pc;
            blockIndex[f.Blocks[i]] = i;
            pc += f.Blocks[i].Instructions.Count;
        }
        cf.BlockLength = f.Blocks.Select(b => b.Instructions.Count).ToArray();
        var code = new Code[pc];
        pc = 0;
        foreach (var block in f.Blocks)
            foreach (var ins in block.Instructions)
                code[pc++] = Translate(ins, cf, Reg, blockStart, blockIndex);
        cf.Code = code;
        cf.Regs = registerValues.ToArray();
    }

    private Code Translate(Instruction ins, CompiledFunction cf, Func<Value, int> reg, Dictionary<Block, int> start, Dictionary<Block, int> index)
    {
        var c = new Code { Op = ins.Op, D = ins.Dest is null ? -1 : reg(ins.Dest), A = -1, B = -1, C = -1, E = -1, Aux = -1, Aux2 = -1 };
        var ops = ins.Operands;
        if (ins.Dest is not null) c.Type = ins.Dest.Type;
        int R(int i) => reg((Value)ops[i]);
        // A location operand: a named object (its address in Aux/Aux2) or a pointer register.
        void Loc(int i, ref int address, ref int register)
        {
            if (ops[i] is ObjectRef o) address = addresses[o.Target];
            else register = reg((Value)ops[i]);
        }
        long I(int i) => ((IntImm)ops[i]).Value;
        switch (ins.Op)
        {
            case Op.Eq or Op.Ne or Op.Lt or Op.Le or Op.Gt or Op.Ge:
                c.Type = ins.V(0).Type;
                c.A = R(0); c.B = R(1);
                break;
            case Op.Load or Op.Lock or Op.Unlock or Op.TryLock:
                Loc(0, ref c.Aux, ref c.A);
                c.B = R(1);
                break;
            case Op.Store:
                Loc(0, ref c.Aux, ref c.A);
                c.B = R(1); c.C = R(2);
                c.Type = ins.V(2).Type;
                break;
            case Op.Copy:
                Loc(0, ref c.Aux, ref c.A);
                c.B = R(1);
                Loc(2, ref c.Aux2, ref c.C);
                c.E = R(3);
                c.Imm = I(4);
                break;
            case Op.Addr:
                c.Aux = addresses[((ObjectRef)ops[0]).Target];
                c.B = R(1);
                break;
            case Op.Bounds or Op.Crc32:
                c.A = R(0); c.Imm = I(1);
                break;
            case Op.PktGet:
                c.A = R(0); c.B = R(1); c.Imm = I(2); c.Imm2 = I(3);
                break;
            case Op.PktSet:
                c.A = R(0); c.B = R(1); c.Imm = I(2); c.Imm2 = I(3); c.C = R(4);
                break;
            case Op.PktEncap:
                c.A = R(0); c.Imm = I(1);
                break;
            case Op.MetaGet:
                c.A = R(0); c.Aux = ((FieldRef)ops[1]).Field.Index;
                break;
            case Op.MetaSet:
                c.A = R(0); c.Aux = ((FieldRef)ops[1]).Field.Index; c.B = R(2);
                c.Type = ((FieldRef)ops[1]).Field.Type;
                break;
            case Op.Put:
            {
                string endpoint = ((EndpointRef)ops[0]).Name;
                c.Aux = cf.Instance >= 0 && outputChannels[cf.Instance].TryGetValue(endpoint, out var ch) ? ch : -1;
                c.A = R(1);
                break;
            }
            case Op.Call:
            {
                var callee = byIr[((FunctionRef)ops[0]).Target];
                c.Extra = new CallSite(callee, ops.Skip(1).Select(o => reg((Value)o)).ToArray());
                break;
            }
            case Op.Trace:
                c.Extra = new TraceSite(((StringImm)ops[0]).Text, ops.Skip(1).Select(o => reg((Value)o)).ToArray(),
                    ops.Skip(1).Select(o => ((Value)o).Type).ToArray());
                break;
            case Op.Jmp:
            {
                var t = ((BlockRef)ops[0]).Target;
                c.Aux = start[t]; c.Imm = index[t];
                break;
            }
            case Op.Br:
            {
                var t = ((BlockRef)ops[1]).Target;
                var e = ((BlockRef)ops[2]).Target;
                c.A = R(0);
                c.Aux = start[t]; c.Imm = index[t];
                c.Aux2 = start[e]; c.Imm2 = index[e];
                break;
            }
            case Op.Switch:
            {
                c.A = R(0);
                var d = ((BlockRef)ops[1]).Target;
                c.Aux = start[d]; c.Imm = index[d];
                var cases = new Dictionary<ulong, (int, int)>();
                var type = ins.V(0).Type;
                for (int i = 2; i + 1 < ops.Length; i += 2)
                {
                    var t = ((BlockRef)ops[i + 1]).Target;
                    cases.TryAdd(type.Normalize((ulong)I(i)), (start[t], index[t]));
                }
                c.Extra = new SwitchTable(cases);
                break;
            }
            case Op.Ret:
                if (ops.Length > 0) c.A = R(0);
                break;
            default:
                // Value-operand ops: up to three operands in A, B, C; the type of a Same-rule op is its result's.
                if (ops.Length > 0) c.A = R(0);
                if (ops.Length > 1) c.B = R(1);
                if (ops.Length > 2) c.C = R(2);
                if (ops.Length > 3) c.E = R(3);
                break;
        }
        if (c.Type.IsScalar())
        {
            c.Signed = c.Type.IsSigned();
            c.Shift = (byte)(64 - c.Type.Bits());
        }
        return c;
    }
}
