using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using Baker.Runtime.Isa;
using Baker.Runtime.Machine;
using Baker.Runtime.Memory;

namespace Baker.Runtime.Microengine;

/// <summary>Per-context counters of one microengine thread.</summary>
public sealed class ThreadStats
{
    public long Instructions;
    /// <summary>Cycles the context held the ME (its instructions, branch and swap penalties, stalls).</summary>
    public long BusyCycles;
    /// <summary>Cycles swapped out waiting for signals.</summary>
    public long StalledCycles;
    /// <summary>Cycles ready to run but waiting for another context to swap out.</summary>
    public long ReadyCycles;
    public long Swaps;
}

/// <summary>
/// One microengine: 8 contexts sharing a control store, a register file in banks A and B, transfer and
/// next-neighbor registers, local memory, CAM and CRC unit. Executes one instruction per cycle for the
/// running context until it swaps out (ctx_arb or ctx_swap), then picks the next ready context round
/// robin (no preemption). The chip's scheduler calls <see cref="Run"/>; the ME runs local instructions
/// freely and stops before any shared reference that would be ahead of another agent's time, so that
/// shared state sees all references in global time order.
/// </summary>
public sealed class MicroEngine
{
    private const byte Inactive = 0, Waiting = 1, Killed = 2;
    private const int FlagZ = 1, FlagN = 2, FlagC = 4, FlagV = 8;

    private readonly Chip _chip;
    private readonly MicroengineParams _p;
    private Micro[] _code = [];
    private readonly uint[] _regs = new uint[RegFile.Size];
    private readonly uint[] _lm;
    private readonly int _threads;

    // Per-context state.
    private readonly int[] _pc = new int[8];
    private readonly byte[] _state = new byte[8];
    private readonly long[] _wakeAt = new long[8];
    private readonly ushort[] _waitMask = new ushort[8];
    private readonly long[] _waitStart = new long[8];
    private readonly int[] _flagsSaved = new int[8];
    private readonly long[] _sigAt = new long[8 * 16];
    private readonly int[] _lmAddr = new int[16];      // ctx*2 + index: byte address
    private readonly long[] _lmReady = new long[16];

    // Running context.
    private int _cur = -1;
    private ThreadStats _curStats = new();
    private int _ctxBase;
    private int _pcCur;
    private int _flags;
    private long _selectedAt;
    private int _lastCtx = 7;
    private int _deferLeft;
    private int _deferTarget;
    private bool _deferSwap;

    // CAM, CRC, next-neighbor ring, mailboxes.
    private readonly uint[] _camTag;
    private readonly byte[] _camState;
    private readonly bool[] _camValid;
    private readonly long[] _camUse;
    private long _camClock;
    private uint _crc;
    private int _nnHead, _nnCount;
    /// <summary>Per context, the signal it is parked on this ME's NN ring with (<c>nn_wait</c>), 0 when not parked.</summary>
    private readonly byte[] _nnWaitSig = new byte[8];
    private readonly uint[] _mailbox = new uint[4];

    public int Index { get; }
    public long Now;
    public bool Halted { get; private set; }
    /// <summary>The code parks contexts on rings (<c>wait</c>): idle, it falls asleep rather than polling.</summary>
    public bool CanSleep { get; private set; }
    /// <summary>Every context waits for a signal only another agent can send (a ring put): no next action until one does.</summary>
    public bool Asleep { get; private set; }
    public bool HasCode => _code.Length > 0;
    public long Instructions;
    public long StalledCycles;
    public long IdleCycles;
    public ThreadStats[] Threads { get; }
    public long[] MemoryRefs { get; } = new long[4];
    /// <summary>How many <c>nn_wait</c> writes found this ME's NN ring empty and parked their context.</summary>
    public long NnParks { get; private set; }

    internal MicroEngine(Chip chip, int index, MicroengineParams p)
    {
        _chip = chip;
        Index = index;
        _p = p;
        _threads = p.ThreadsPerMe;
        _lm = new uint[p.LocalMemoryWords];
        _camTag = new uint[p.CamEntries];
        _camState = new byte[p.CamEntries];
        _camValid = new bool[p.CamEntries];
        _camUse = new long[p.CamEntries];
        Threads = Enumerable.Range(0, 8).Select(_ => new ThreadStats()).ToArray();
        Array.Fill(_sigAt, long.MaxValue);
        Halted = true;
    }

    internal void Load(MeCode code)
    {
        if (code.Code.Length > _p.ControlStoreSize)
            throw new EmulatorException($"ME {Index}: image has {code.Code.Length} instructions, the control store holds {_p.ControlStoreSize}");
        _code = code.Code.Select(RegFile.Decode).ToArray();
        for (var pc = 0; pc < _code.Length; pc++)
        {
            var t = _code[pc].Target;
            if (_code[pc].Op != Opcode.Rtn && t >= _code.Length)
                throw new EmulatorException($"ME {Index}: instruction {pc} branches to {t}, past the end of the code ({_code.Length})");
        }
        for (var c = 0; c < 8; c++)
        {
            var active = c < _threads && (code.ContextMask >> c & 1) != 0;
            _state[c] = active ? Waiting : Inactive;
            _wakeAt[c] = 0;
            _waitMask[c] = 0;
            _nnWaitSig[c] = 0;
            _pc[c] = 0;
        }
        Halted = _code.Length == 0 || !Enumerable.Range(0, 8).Any(c => _state[c] == Waiting);
        Asleep = false;
        CanSleep = _code.Any(m => m.Op is Opcode.Scratch or Opcode.Sram && (MemCmd)m.Sub == MemCmd.Wait
            || m.Op == Opcode.LocalCsrWr && m.Imm == (int)LocalCsr.NnWait);
    }

    /// <summary>Register value for tests and debugging: context-relative GPR/transfer registers by operand.</summary>
    public uint ReadRegister(int ctx, Operand o)
    {
        var (k, v) = o.Kind switch
        {
            OperandKind.GprA => (1, RegFile.GprA + o.Value),
            OperandKind.GprB => (1, RegFile.GprB + o.Value),
            OperandKind.AbsA => (2, RegFile.GprA + o.Value),
            OperandKind.AbsB => (2, RegFile.GprB + o.Value),
            OperandKind.Xfer => (1, RegFile.XferIn + o.Value),
            OperandKind.DXfer => (1, RegFile.DXferIn + o.Value),
            OperandKind.Nn => (2, RegFile.Nn + o.Value),
            _ => throw new ArgumentException($"cannot read {o} as a register"),
        };
        return _regs[k == 1 ? v + ctx * 16 : v];
    }

    /// <summary>Transfer-out register (what a write reference would send) for tests.</summary>
    public uint ReadXferOut(int ctx, int n, bool dram) => _regs[(dram ? RegFile.DXferOut : RegFile.XferOut) + ctx * 16 + n];

    public uint ReadLocalMemory(int word) => _lm[word];

    public int Flags(int ctx) => ctx == _cur ? _flags : _flagsSaved[ctx];

    public int ContextPc(int ctx) => ctx == _cur ? _pcCur : _pc[ctx];

    public long LastSwapTime { get; private set; }

    // ------------------------------------------------------------------ scheduling

    /// <summary>Cycle of this ME's next action (its current time), or long.MaxValue when halted.</summary>
    internal long NextTime => Halted || Asleep ? long.MaxValue : Now;

    private bool SelectThread()
    {
        while (true)
        {
            long minWake = long.MaxValue;
            var any = false;
            for (var k = 1; k <= 8; k++)
            {
                var c = (_lastCtx + k) & 7;
                if (_state[c] != Waiting) continue;
                any = true;
                var w = _wakeAt[c];
                if (w <= Now)
                {
                    Activate(c);
                    return true;
                }
                if (w < minWake) minWake = w;
            }
            if (!any)
            {
                // Every context is stopped: the ME is finished.
                Halted = true;
                return false;
            }
            if (minWake == long.MaxValue)
            {
                // Every context waits for a signal no reference of its own will send: only a put on a ring a
                // context is parked on (Wake) can wake the ME, and the scheduler skips the time until then.
                Asleep = true;
                return false;
            }
            IdleCycles += minWake - Now;
            Now = minWake;
        }
    }

    private void Activate(int c)
    {
        var t = Threads[c];
        var ws = _waitStart[c];
        var wake = Math.Max(_wakeAt[c], ws);
        t.StalledCycles += wake - ws;
        t.ReadyCycles += Now - wake;
        // Consume the signals the context waited for.
        var mask = _waitMask[c];
        while (mask != 0)
        {
            var s = BitOperations.TrailingZeroCount(mask);
            _sigAt[c * 16 + s] = long.MaxValue;
            mask &= (ushort)(mask - 1);
        }
        _waitMask[c] = 0;
        _cur = c;
        _curStats = t;
        _ctxBase = c * 16;
        _pcCur = _pc[c];
        _flags = _flagsSaved[c];
        _selectedAt = Now;
        _lastCtx = c;
    }

    /// <summary>
    /// The running context waits for <paramref name="mask"/>: at once (true: the caller yields), or after
    /// its defer slots (false: the caller goes on with the next instruction, and the swap happens when they end).
    /// </summary>
    private bool WaitOn(ushort mask, int deferSlots, int nextPc)
    {
        if (deferSlots != 0)
        {
            BeginDefer(deferSlots, -1, swap: true);
            _pendingMask = mask;
            return false;
        }
        SwapOut(mask, nextPc, kill: false);
        return true;
    }

    /// <summary>Swap the running context out (it waits for <paramref name="mask"/>, 0 = ready at once).</summary>
    private void SwapOut(ushort mask, int nextPc, bool kill)
    {
        var c = _cur;
        _pc[c] = nextPc;
        _flagsSaved[c] = _flags;
        var t = Threads[c];
        t.Swaps++;
        if (kill) _state[c] = Killed;
        _waitMask[c] = mask;
        _wakeAt[c] = WakeTime(c, mask);
        var cost = _p.ContextSwapCycles - _swapRefund;
        _swapRefund = 0;
        Now += cost;
        StalledCycles += cost;
        t.BusyCycles += Now - _selectedAt;
        _waitStart[c] = Now;
        LastSwapTime = Now;
        _cur = -1;
    }

    private long WakeTime(int c, ushort mask)
    {
        long w = 0;
        while (mask != 0)
        {
            var s = BitOperations.TrailingZeroCount(mask);
            var at = _sigAt[c * 16 + s];
            if (at > w) w = at;
            mask &= (ushort)(mask - 1);
        }
        return w;
    }

    private void RaiseSignal(int c, int s, long at)
    {
        _sigAt[c * 16 + s] = at;
        if (c != _cur && _state[c] == Waiting && (_waitMask[c] >> s & 1) != 0) _wakeAt[c] = WakeTime(c, _waitMask[c]);
    }

    /// <summary>
    /// A signal from outside the ME (a put on a ring the context is parked on), at cycle <paramref name="at"/>.
    /// An asleep ME wakes: it was idle until then. The running agent must not pass that time, so the horizon drops to it.
    /// </summary>
    internal void Wake(int c, int s, long at)
    {
        if (Halted) return;
        RaiseSignal(c, s, at);
        if (Asleep)
        {
            Asleep = false;
            if (at > Now)
            {
                IdleCycles += at - Now;
                Now = at;
            }
        }
        if (_chip.RunningAgent != Index) _chip.LowerHorizon(Now, Index);
    }

    /// <summary>At the end of a run, an asleep ME was idle until <paramref name="end"/>.</summary>
    internal void SleepUntil(long end)
    {
        if (!Asleep || end <= Now) return;
        IdleCycles += end - Now;
        Now = end;
    }

    // ------------------------------------------------------------------ execution

    /// <summary>
    /// Run until the next shared reference would pass the chip's horizon (another agent's time), a taken
    /// branch finds the ME a slice ahead of it, or the ME halts.
    /// </summary>
    internal void Run()
    {
        var code = _code;
        var regs = _regs;
        var chip = _chip;
        var sliceEnd = chip.HorizonTime > long.MaxValue - SliceCycles ? long.MaxValue : chip.HorizonTime + SliceCycles;
        _sliceEnd = sliceEnd;
        var q = chip.SyncQuantumCycles;
        while (true)
        {
            if (_cur < 0)
            {
                if (!SelectThread()) return;
                if (Now > sliceEnd) return;
            }
            ref var m = ref code[_pcCur];
            if (m.Shared && (Now > chip.HorizonTime + q || (Now == chip.HorizonTime + q && Index > chip.HorizonIndex))) return;
            Instructions++;
            _curStats.Instructions++;
            var issue = Now;
            Now++;
            var next = _pcCur + 1;
            switch (m.Op)
            {
                case Opcode.Nop:
                    break;
                case Opcode.Alu:
                    {
                        var b = Src(m.SK_B, m.BV);
                        var a = m.SK_A == SK.None ? 0u : Src(m.SK_A, m.AV);
                        Dst(m.DK, m.DV, Alu(m.Sub, a, b));
                        break;
                    }
                case Opcode.AluShf:
                    {
                        var b = Shift(Src(m.SK_B, m.BV), m.Imm);
                        var a = m.SK_A == SK.None ? 0u : Src(m.SK_A, m.AV);
                        Dst(m.DK, m.DV, Alu(m.Sub, a, b));
                        break;
                    }
                case Opcode.Immed:
                    Dst(m.DK, m.DV, (uint)m.Imm);
                    break;
                case Opcode.LdField:
                case Opcode.LdFieldWClr:
                    {
                        var src = Shift(Src(m.SK_B, m.BV), m.Imm);
                        uint mask = 0;
                        for (var k = 0; k < 4; k++) if ((m.Sub >> k & 1) != 0) mask |= 0xffu << (8 * k);
                        var old = m.Op == Opcode.LdField ? DstRead(m.DK, m.DV) : 0u;
                        var r = (old & ~mask) | (src & mask);
                        Dst(m.DK, m.DV, r);
                        SetZN(r);
                        break;
                    }
                case Opcode.Extract:
                    {
                        var src = Src(m.SK_A, m.AV);
                        var r = m.Imm2 == 32 ? src : (src >> m.Imm) & ((1u << m.Imm2) - 1);
                        Dst(m.DK, m.DV, r);
                        SetZN(r);
                        break;
                    }
                case Opcode.Insert:
                    {
                        var src = Src(m.SK_A, m.AV);
                        var mask = (m.Imm2 == 32 ? 0xffffffffu : (1u << m.Imm2) - 1) << m.Imm;
                        var old = DstRead(m.DK, m.DV);
                        var r = (old & ~mask) | ((src << m.Imm) & mask);
                        Dst(m.DK, m.DV, r);
                        SetZN(r);
                        break;
                    }
                case Opcode.Ffs:
                    {
                        var src = Src(m.SK_B, m.BV);
                        var r = src == 0 ? 0u : (uint)BitOperations.TrailingZeroCount(src);
                        Dst(m.DK, m.DV, r);
                        _flags = src == 0 ? FlagZ : 0;
                        break;
                    }
                case Opcode.Br:
                    if (CondHolds(m.Sub)) { if (Branch(ref m, m.Target, ref next)) return; }
                    break;
                case Opcode.BrBset:
                    if ((Src(m.SK_A, m.AV) >> m.Imm & 1) != 0) { if (Branch(ref m, m.Target, ref next)) return; }
                    break;
                case Opcode.BrBclr:
                    if ((Src(m.SK_A, m.AV) >> m.Imm & 1) == 0) { if (Branch(ref m, m.Target, ref next)) return; }
                    break;
                case Opcode.BrCtx:
                    if (_cur == m.Imm) { if (Branch(ref m, m.Target, ref next)) return; }
                    break;
                case Opcode.BrState:
                case Opcode.BrNState:
                    {
                        var holds = m.Sub == (byte)StateCond.NnEmpty ? _nnCount == 0 : chip.NextNeighborFull(Index);
                        if (holds == (m.Op == Opcode.BrState)) { if (Branch(ref m, m.Target, ref next)) return; }
                        break;
                    }
                case Opcode.Bal:
                    Dst(m.DK, m.DV, (uint)(_pcCur + 1 + m.Defer));
                    if (Branch(ref m, m.Target, ref next)) return;
                    break;
                case Opcode.Rtn:
                    {
                        var t = (int)Src(m.SK_A, m.AV);
                        if (t < 0 || t >= code.Length) throw Fault($"rtn to {t}, outside the code (0..{code.Length - 1})");
                        if (Branch(ref m, t, ref next)) return;
                        break;
                    }
                case Opcode.CtxArb:
                    if ((m.Flags & InstrFlags.Kill) != 0)
                    {
                        SwapOut(0, next, kill: true);
                        continue;
                    }
                    if (WaitOn(m.SigMask, m.Defer, next)) continue;
                    break;
                case Opcode.Scratch:
                case Opcode.Sram:
                case Opcode.Dram:
                    MemRef(ref m, issue);
                    if ((m.Flags & InstrFlags.CtxSwap) != 0 && WaitOn((ushort)(1 << m.Signal), m.Defer, next)) continue;
                    break;
                case Opcode.Hash:
                    {
                        var done = chip.HashUnit.Issue(issue, m.Imm * 4);
                        MemoryRefs[3]++;
                        for (var k = 0; k < m.Imm; k++)
                            regs[RegFile.XferIn + _ctxBase + m.Xfer + k] = chip.Hash(regs[RegFile.XferOut + _ctxBase + m.Xfer + k]);
                        HoldXfer(RegFile.XferIn + _ctxBase + m.Xfer, m.Imm, done);
                        HoldXfer(RegFile.XferOut + _ctxBase + m.Xfer, m.Imm, done);
                        if (m.Signal != 0) RaiseSignal(_cur, m.Signal, done);
                        if ((m.Flags & InstrFlags.CtxSwap) != 0 && WaitOn((ushort)(1 << m.Signal), m.Defer, next)) continue;
                        break;
                    }
                case Opcode.CamLookup:
                    Dst(m.DK, m.DV, CamLookup(Src(m.SK_B, m.BV)));
                    break;
                case Opcode.CamWrite:
                    {
                        var e = (int)(Src(m.SK_A, m.AV) % (uint)_camTag.Length);
                        _camTag[e] = Src(m.SK_B, m.BV);
                        _camState[e] = (byte)m.Imm;
                        _camValid[e] = true;
                        _camUse[e] = ++_camClock;
                        break;
                    }
                case Opcode.CamReadTag:
                    Dst(m.DK, m.DV, _camTag[(int)(Src(m.SK_A, m.AV) % (uint)_camTag.Length)]);
                    break;
                case Opcode.CamClear:
                    Array.Clear(_camValid);
                    Array.Clear(_camUse);
                    _camClock = 0;
                    break;
                case Opcode.Crc:
                    {
                        var v = Src(m.SK_B, m.BV);
                        _crc = m.Sub == (byte)CrcKind.Crc32 ? Crc32Word(_crc, v) : CrcCcittWord(_crc, v);
                        Dst(m.DK, m.DV, v);
                        break;
                    }
                case Opcode.LocalCsrRd:
                    Dst(m.DK, m.DV, CsrRead(m.Imm));
                    break;
                case Opcode.LocalCsrWr:
                    CsrWrite(m.Imm, Src(m.SK_B, m.BV));
                    break;
                case Opcode.Halt:
                    Threads[_cur].BusyCycles += Now - _selectedAt;
                    _flagsSaved[_cur] = _flags;
                    _pc[_cur] = _pcCur;
                    _cur = -1;
                    Halted = true;
                    return;
                default:
                    throw Fault($"opcode {m.Op} cannot execute");
            }
            _pcCur = next;
            if (_deferLeft != 0 && --_deferLeft == 0)
            {
                if (_deferSwap)
                {
                    SwapOut(_pendingMask, _pcCur, kill: false);
                }
                else
                {
                    _pcCur = _deferTarget;
                    if (Now > sliceEnd) return;
                }
            }
        }
    }

    private ushort _pendingMask;
    private long _sliceEnd;

    /// <summary>How far (cycles) an ME may run ahead of the horizon on local work before yielding, so endless local loops still end.</summary>
    private const long SliceCycles = 2000;

    private void BeginDefer(int n, int target, bool swap)
    {
        // +1: the count is decremented once at the end of the branch instruction itself.
        _deferLeft = n + 1;
        _deferTarget = target;
        _deferSwap = swap;
        if (swap)
        {
            // The defer slots fill cycles the swap would lose; SwapOut charges the rest.
            _swapRefund = Math.Min(n, _p.ContextSwapCycles);
            return;
        }
        var lost = _p.BranchPenaltyCycles - n;
        if (lost > 0)
        {
            Now += lost;
            StalledCycles += lost;
        }
    }

    private int _swapRefund;

    /// <summary>Taken branch: with defer slots, run them first; otherwise pay the penalty. True = yield to the scheduler.</summary>
    private bool Branch(ref Micro m, int target, ref int next)
    {
        if (m.Defer != 0)
        {
            BeginDefer(m.Defer, target, swap: false);
            return false;
        }
        next = target;
        Now += _p.BranchPenaltyCycles;
        StalledCycles += _p.BranchPenaltyCycles;
        if (Now > _sliceEnd)
        {
            _pcCur = next;
            return true;
        }
        return false;
    }

    private bool CondHolds(byte cond)
    {
        var f = _flags;
        var z = (f & FlagZ) != 0;
        var n = (f & FlagN) != 0;
        var c = (f & FlagC) != 0;
        var v = (f & FlagV) != 0;
        return (Cond)cond switch
        {
            Cond.Always => true,
            Cond.Eq => z,
            Cond.Ne => !z,
            Cond.Mi => n,
            Cond.Pl => !n,
            Cond.Cs or Cond.Hs => c,
            Cond.Cc or Cond.Lo => !c,
            Cond.Vs => v,
            Cond.Vc => !v,
            Cond.Hi => c && !z,
            Cond.Ls => !c || z,
            Cond.Ge => n == v,
            Cond.Lt => n != v,
            Cond.Gt => !z && n == v,
            Cond.Le => z || n != v,
            _ => false,
        };
    }

    private void SetZN(uint r) => _flags = (_flags & (FlagC | FlagV)) | (r == 0 ? FlagZ : 0) | ((r >> 31) != 0 ? FlagN : 0);

    private uint Alu(byte op, uint a, uint b)
    {
        uint r;
        int f;
        switch ((AluOp)op)
        {
            case AluOp.Add:
            case AluOp.AddCarry:
                {
                    ulong cin = op == (byte)AluOp.AddCarry && (_flags & FlagC) != 0 ? 1u : 0u;
                    var wide = (ulong)a + b + cin;
                    r = (uint)wide;
                    f = (wide >> 32) != 0 ? FlagC : 0;
                    if ((~(a ^ b) & (a ^ r) & 0x80000000) != 0) f |= FlagV;
                    break;
                }
            case AluOp.Sub:
            case AluOp.SubCarry:
                {
                    ulong borrow = op == (byte)AluOp.SubCarry && (_flags & FlagC) == 0 ? 1u : 0u;
                    var wide = (ulong)a - b - borrow;
                    r = (uint)wide;
                    f = (ulong)a >= (ulong)b + borrow ? FlagC : 0;
                    if (((a ^ b) & (a ^ r) & 0x80000000) != 0) f |= FlagV;
                    break;
                }
            case AluOp.B: r = b; f = 0; break;
            case AluOp.NotB: r = ~b; f = 0; break;
            case AluOp.And: r = a & b; f = 0; break;
            case AluOp.AndNotB: r = a & ~b; f = 0; break;
            case AluOp.Or: r = a | b; f = 0; break;
            default: r = a ^ b; f = 0; break;
        }
        _flags = f | (r == 0 ? FlagZ : 0) | ((r >> 31) != 0 ? FlagN : 0);
        return r;
    }

    private static uint Shift(uint v, int packed)
    {
        var n = packed & 31;
        return (ShiftKind)(packed >> 8) switch
        {
            ShiftKind.Left => v << n,
            ShiftKind.Right => v >> n,
            ShiftKind.ArithRight => (uint)((int)v >> n),
            ShiftKind.RotLeft => BitOperations.RotateLeft(v, n),
            ShiftKind.RotRight => BitOperations.RotateRight(v, n),
            _ => v,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Src(byte k, int v)
    {
        if (k == SK.Rel) return _regs[v + _ctxBase];
        if (k == SK.Imm) return (uint)v;
        return SrcSlow(k, v);
    }

    private uint SrcSlow(byte k, int v)
    {
        switch (k)
        {
            case SK.Xfer:
                {
                    var r = v + _ctxBase;
                    if (Now - 1 < _xferBusyUntil[r])
                        throw Fault($"reads {XferName(r)} at cycle {Now - 1} before the reference filling it completes at cycle {_xferBusyUntil[r]}");
                    return _regs[r];
                }
            case SK.Abs:
            case SK.NnOwn:
                return _regs[v];
            case SK.NnPop:
                {
                    if (_nnCount == 0) return 0;
                    var r = _regs[RegFile.Nn + _nnHead];
                    _nnHead = (_nnHead + 1) % _p.NnRingSize;
                    _nnCount--;
                    return r;
                }
            case SK.Lm0:
            case SK.Lm1:
                return _lm[LmIndex(k == SK.Lm0 ? 0 : 1, v)];
            default:
                return 0;
        }
    }

    private int LmIndex(int which, int v)
    {
        var slot = _cur * 2 + which;
        var issue = Now - 1;
        if (issue < _lmReady[slot])
        {
            // The index register was written too recently: the instruction waits until it is usable.
            StalledCycles += _lmReady[slot] - issue;
            Now += _lmReady[slot] - issue;
            _lmReady[slot] = 0;
        }
        var word = _lmAddr[slot] >> 2;
        var mode = (LmMode)((v >> 8) & 3);
        int idx;
        switch (mode)
        {
            case LmMode.PostInc:
                idx = word;
                _lmAddr[slot] += 4;
                break;
            case LmMode.PostDec:
                idx = word;
                _lmAddr[slot] -= 4;
                break;
            default:
                idx = word + (v & 0xff);
                break;
        }
        var n = _lm.Length;
        idx %= n;
        if (idx < 0) idx += n;
        return idx;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Dst(byte k, int v, uint value)
    {
        if (k == DK.Rel) _regs[v + _ctxBase] = value;
        else if (k != DK.None) DstSlow(k, v, value);
    }

    private void DstSlow(byte k, int v, uint value)
    {
        switch (k)
        {
            case DK.Xfer:
                {
                    var r = v + _ctxBase;
                    if (Now - 1 < _xferBusyUntil[r])
                        throw Fault($"writes {XferName(r)} at cycle {Now - 1} while the reference sending it is in flight until cycle {_xferBusyUntil[r]}");
                    _regs[r] = value;
                    break;
                }
            case DK.Abs: _regs[v] = value; break;
            case DK.NnNext: _chip.NextNeighborWrite(Index, v, value); break;
            case DK.NnPush:
                // The hardware overwrites unread entries; a program must test br_state[nn_full] first.
                if (_chip.NextNeighborFull(Index)) throw Fault("pushes onto the next ME's full next-neighbor ring (test br_state[nn_full] first)");
                _chip.NextNeighborPush(Index, value, Now);
                break;
            case DK.Lm0: _lm[LmIndex(0, v)] = value; break;
            case DK.Lm1: _lm[LmIndex(1, v)] = value; break;
        }
    }

    /// <summary>Current value of a destination (ld_field and insert keep the unselected bits).</summary>
    private uint DstRead(byte k, int v) => k switch
    {
        DK.Rel or DK.Xfer => _regs[v + _ctxBase],
        DK.Abs => _regs[v],
        DK.Lm0 or DK.Lm1 => _lm[PeekLm(k == DK.Lm0 ? 0 : 1, v)],
        DK.NnNext => _chip.NextNeighborRead(Index, v),
        _ => 0,
    };

    private int PeekLm(int which, int v)
    {
        var slot = _cur * 2 + which;
        var word = (_lmAddr[slot] >> 2) + ((LmMode)((v >> 8) & 3) == LmMode.Offset ? (v & 0xff) : 0);
        var n = _lm.Length;
        word %= n;
        return word < 0 ? word + n : word;
    }

    // Next-neighbor registers as seen from the previous ME.
    internal void NnWrite(int reg, uint value) => _regs[reg] = value;
    internal uint NnRead(int reg) => _regs[reg];

    internal bool NnFull => _nnCount >= _p.NnRingSize;

    /// <summary>The previous ME pushes onto this ME's NN ring at its cycle <paramref name="at"/>: parked contexts wake.</summary>
    internal void NnPush(uint value, long at)
    {
        _regs[RegFile.Nn + (_nnHead + _nnCount) % _p.NnRingSize] = value;
        _nnCount++;
        NnWakeParked(at);
    }

    /// <summary>
    /// A push onto this ME's NN ring (by the previous ME, while it runs, at its cycle <paramref name="at"/>) signals every
    /// context parked on the ring by <c>nn_wait</c> through Wake, as a put on a scratch ring does: the scheduler's
    /// horizon drops to this ME's time, so the producer cannot run past the wake.
    /// </summary>
    private void NnWakeParked(long at)
    {
        for (var c = 0; c < 8; c++)
        {
            var s = _nnWaitSig[c];
            if (s == 0) continue;
            _nnWaitSig[c] = 0;
            Wake(c, s, at);
        }
    }

    // ------------------------------------------------------------------ memory references

    private void MemRef(ref Micro m, long issue)
    {
        var chip = _chip;
        var regs = _regs;
        var space = m.Op == Opcode.Scratch ? MemorySpace.Scratch : m.Op == Opcode.Sram ? MemorySpace.Sram : MemorySpace.Dram;
        var addr = (m.SK_A == SK.None ? 0u : Src(m.SK_A, m.AV)) + (m.SK_B == SK.None ? 0u : Src(m.SK_B, m.BV));
        var cmd = (MemCmd)m.Sub;
        var count = m.Imm;
        var inBase = (space == MemorySpace.Dram ? RegFile.DXferIn : RegFile.XferIn) + _ctxBase + m.Xfer;
        var outBase = (space == MemorySpace.Dram ? RegFile.DXferOut : RegFile.XferOut) + _ctxBase + m.Xfer;
        var unit = chip.Unit(space);
        int bytes, inWords = 0, outWords = 0;
        MemoryRefs[(int)space]++;
        switch (cmd)
        {
            case MemCmd.Read:
            case MemCmd.Write:
                {
                    var words = space == MemorySpace.Dram ? count * 2 : count;
                    bytes = words * 4;
                    var a = space == MemorySpace.Dram ? addr & ~7u : addr & ~3u;
                    var mem = chip.MemoryFor(space, a, bytes, this);
                    if (cmd == MemCmd.Read)
                    {
                        for (var k = 0; k < words; k++) regs[inBase + k] = BinaryPrimitives.ReadUInt32BigEndian(mem.AsSpan((int)a + 4 * k));
                        inWords = words;
                    }
                    else
                    {
                        for (var k = 0; k < words; k++) BinaryPrimitives.WriteUInt32BigEndian(mem.AsSpan((int)a + 4 * k), regs[outBase + k]);
                        outWords = words;
                    }
                    break;
                }
            case MemCmd.Wait:
                {
                    var ring = chip.Ring(space, (int)addr) ?? throw Fault($"{MemorySpaceNames.Name(space)} ring {addr} is not configured");
                    bytes = 4;
                    // An empty ring parks the context: its signal comes with the next put, not with this reference.
                    if (!ring.Wait(Index, _cur, m.Signal))
                    {
                        unit.Issue(issue, bytes);
                        return;
                    }
                    break;
                }
            case MemCmd.Put:
            case MemCmd.Get:
                {
                    var ring = chip.Ring(space, (int)addr) ?? throw Fault($"{MemorySpaceNames.Name(space)} ring {addr} is not configured");
                    bytes = count * 4;
                    Span<uint> tmp = stackalloc uint[16];
                    var w = tmp[..count];
                    if (cmd == MemCmd.Put)
                    {
                        for (var k = 0; k < count; k++) w[k] = regs[outBase + k];
                        regs[inBase] = ring.Put(w, issue) ? 1u : 0u;
                        (inWords, outWords) = (1, count);
                    }
                    else
                    {
                        ring.Get(w, issue);
                        for (var k = 0; k < count; k++) regs[inBase + k] = w[k];
                        inWords = count;
                    }
                    break;
                }
            default:
                {
                    bytes = 4;
                    var a = addr & ~3u;
                    var mem = chip.MemoryFor(space, a, 4, this);
                    var span = mem.AsSpan((int)a);
                    var old = BinaryPrimitives.ReadUInt32BigEndian(span);
                    var operand = regs[outBase];
                    uint nv = cmd switch
                    {
                        MemCmd.Add or MemCmd.TestAndAdd => old + operand,
                        MemCmd.Sub => old - operand,
                        MemCmd.Incr => old + 1,
                        MemCmd.Decr => old - 1,
                        MemCmd.Swap => operand,
                        MemCmd.TestAndSet or MemCmd.Set => old | operand,
                        MemCmd.TestAndClr or MemCmd.Clr => old & ~operand,
                        _ => old,
                    };
                    BinaryPrimitives.WriteUInt32BigEndian(span, nv);
                    outWords = cmd is MemCmd.Incr or MemCmd.Decr ? 0 : 1;
                    if (InstructionSet.MemCmdReturnsData(cmd))
                    {
                        regs[inBase] = old;
                        inWords = 1;
                    }
                    break;
                }
        }
        var done = unit.Issue(issue, bytes);
        HoldXfer(inBase, inWords, done);
        HoldXfer(outBase, outWords, done);
        if (m.Signal != 0) RaiseSignal(_cur, m.Signal, done);
    }

    /// <summary>
    /// Per register-file index: the cycle until which a transfer register belongs to a memory reference in
    /// flight (a read fills transfer-in registers when it completes; a write reads transfer-out registers
    /// until then). Touching one earlier is a program bug the real chip would not report: we fault.
    /// </summary>
    private readonly long[] _xferBusyUntil = new long[RegFile.Size];

    private void HoldXfer(int first, int count, long until)
    {
        for (var k = 0; k < count; k++) _xferBusyUntil[first + k] = until;
    }

    private static string XferName(int r)
    {
        var (prefix, bank) = r switch
        {
            >= RegFile.DXferOut => ("$$", RegFile.DXferOut),
            >= RegFile.DXferIn => ("$$", RegFile.DXferIn),
            >= RegFile.XferOut => ("$", RegFile.XferOut),
            _ => ("$", RegFile.XferIn),
        };
        return $"{prefix}{(r - bank) % 16}";
    }

    internal EmulatorException Fault(string what) => new($"ME {Index} ctx {_cur} pc {_pcCur}: {what}");

    // ------------------------------------------------------------------ CSRs, CAM, CRC

    private uint CsrRead(int csr) => (LocalCsr)csr switch
    {
        LocalCsr.ActiveLmAddr0 => (uint)_lmAddr[_cur * 2],
        LocalCsr.ActiveLmAddr1 => (uint)_lmAddr[_cur * 2 + 1],
        LocalCsr.ActiveCtxSts => (uint)_cur,
        LocalCsr.TimestampLow => (uint)(Now - 1),
        LocalCsr.TimestampHigh => (uint)((Now - 1) >> 32),
        LocalCsr.CrcRemainder => _crc,
        LocalCsr.NnPut => (uint)((_nnHead + _nnCount) % _p.NnRingSize),
        LocalCsr.NnGet => (uint)_nnHead,
        LocalCsr.Mailbox0 => _mailbox[0],
        LocalCsr.Mailbox1 => _mailbox[1],
        LocalCsr.Mailbox2 => _mailbox[2],
        LocalCsr.Mailbox3 => _mailbox[3],
        LocalCsr.MeNumber => (uint)Index,
        _ => 0,
    };

    private void CsrWrite(int csr, uint v)
    {
        switch ((LocalCsr)csr)
        {
            case LocalCsr.ActiveLmAddr0:
            case LocalCsr.ActiveLmAddr1:
                {
                    var slot = _cur * 2 + (csr == (int)LocalCsr.ActiveLmAddr0 ? 0 : 1);
                    _lmAddr[slot] = (int)(v & ~3u);
                    _lmReady[slot] = Now - 1 + _p.LmAddrLatencyCycles;
                    break;
                }
            case LocalCsr.CrcRemainder: _crc = v; break;
            case LocalCsr.SameMeSignal:
                {
                    // Bits 2..0: context, bits 6..3: signal, as the IXP's SAME_ME_SIGNAL.
                    var ctx = (int)(v & 7);
                    var sig = (int)(v >> 3 & 15);
                    if (sig != 0) RaiseSignal(ctx, sig, Now);
                    break;
                }
            case LocalCsr.NnGet:
                _nnHead = (int)(v % (uint)_p.NnRingSize);
                break;
            case LocalCsr.NnPut:
                _nnCount = (int)((v % (uint)_p.NnRingSize - _nnHead + _p.NnRingSize) % _p.NnRingSize);
                break;
            case LocalCsr.NnWait:
                {
                    // Park the context on this ME's NN ring with signal v (as scratch[wait]): a ring that holds an
                    // entry signals at once, an empty one with the next push onto it.
                    var sig = (int)(v & 15);
                    if (sig == 0 || v > 15) throw Fault($"nn_wait needs a signal 1..15, not {v}");
                    if (_nnCount > 0) RaiseSignal(_cur, sig, Now);
                    else
                    {
                        NnParks++;
                        _nnWaitSig[_cur] = (byte)sig;
                    }
                    break;
                }
            case LocalCsr.Mailbox0: _mailbox[0] = v; break;
            case LocalCsr.Mailbox1: _mailbox[1] = v; break;
            case LocalCsr.Mailbox2: _mailbox[2] = v; break;
            case LocalCsr.Mailbox3: _mailbox[3] = v; break;
            default: throw Fault($"local CSR {InstructionSet.CsrTokens[csr]} is read-only");
        }
    }

    public uint Mailbox(int i) => _mailbox[i];

    private uint CamLookup(uint tag)
    {
        var n = _camTag.Length;
        for (var e = 0; e < n; e++)
        {
            if (_camValid[e] && _camTag[e] == tag)
            {
                _camUse[e] = ++_camClock;
                return (uint)(_camState[e] << 8 | 0x80 | e << 3);
            }
        }
        // Miss: report the least recently used entry (an invalid one first) for the program to replace.
        var lru = 0;
        for (var e = 0; e < n; e++)
        {
            if (!_camValid[e]) { lru = e; break; }
            if (_camUse[e] < _camUse[lru]) lru = e;
        }
        return (uint)(lru << 3);
    }

    internal static uint Crc32Word(uint crc, uint word) => Crc.Crc32(crc, word, 4);

    /// <summary>CRC-CCITT (polynomial 0x1021, MSB first) over the 4 bytes of a word; the remainder is the low 16 bits.</summary>
    internal static uint CrcCcittWord(uint crc, uint word)
    {
        var c = (ushort)crc;
        for (var k = 3; k >= 0; k--)
        {
            c ^= (ushort)((byte)(word >> (8 * k)) << 8);
            for (var j = 0; j < 8; j++) c = (ushort)((c & 0x8000) != 0 ? (c << 1) ^ 0x1021 : c << 1);
        }
        return c;
    }
}
