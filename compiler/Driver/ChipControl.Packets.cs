using System.Buffers.Binary;
using Baker.Compiler.Backend.Me;
using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;
using Baker.Runtime.Machine;
using Baker.Runtime.Memory;
using Core = Baker.Runtime.ControlCore.ControlCore;

namespace Baker.Compiler.Driver;

/// <summary>
/// Packets that init and control code make and put on a channel (compiler/docs/me-backend.md, "Control core").
/// The interpreter runs the code and hands each put packet over (IrInterpreter.RunControlLine); the control core
/// then makes it as the microcode would have: it takes a buffer from the free list, writes the bytes from the
/// handle on at the handle's place behind the headroom in DRAM, writes the packet's record in SRAM when an ME will
/// read it (the end, then 8 bytes per metadata field, low word first), cleans both, counts the packet on the
/// <c>.made</c> counter and puts the descriptor on the ring of the channel's end: a PPF's input ring (the handle) or
/// the transmit ring of the packet's out_port (handle, port &lt;&lt; 16 | length). Packets the code makes and drops
/// itself (or a fault frees) are counted as made and as dropped with the interpreter's reason.
/// An empty free list is tried again, letting the chip run, up to InstructionSelection.AllocTries times (as
/// __pkt_alloc does), then the packet is dropped no_buffer; a full ring is tried again until it has room (channels are
/// reliable). The packets of the core leave in the order the code put them.
/// </summary>
public sealed partial class ChipControl
{
    private readonly long _maxCycles;
    private readonly Queue<Outgoing> _waiting = new();
    private bool _retryScheduled;
    /// <summary>The chip has stopped (Finish): a retry would spin on the core alone, so packets wait for <see cref="Resume"/>.</summary>
    private bool _stopped;
    private bool _sentWhileStopped;

    /// <summary>Packets control code put that reached their ring.</summary>
    public long PacketsSent { get; private set; }
    /// <summary>Tries that found the free list empty or the ring full (each costs the core an access).</summary>
    public long PacketRetries { get; private set; }

    /// <summary>A put packet on its way: its buffer once it has one, and the tries for a buffer so far.</summary>
    private sealed class Outgoing(ControlPacket packet)
    {
        public ControlPacket Packet { get; } = packet;
        public uint Buffer { get; set; }
        public int Tries { get; set; }
    }

    /// <summary>A control invocation's packets: those it dropped (by reason) and those it put, in order.</summary>
    private void Packets(Core core, IReadOnlyDictionary<string, long> dropped, List<ControlPacket> puts)
    {
        foreach (var (reason, n) in dropped) Count(core, reason, n);
        foreach (var p in puts) _waiting.Enqueue(new Outgoing(p));
        Send(core);
    }

    /// <summary>Counts <paramref name="n"/> packets as made and dropped for <paramref name="reason"/> (the counters are in memory before any buffer goes back).</summary>
    private void Count(Core core, string reason, long n)
    {
        // The interpreter's reasons that compiled code has no counter for (step_limit, queue_full, leaked) are the
        // microcode's internal_error.
        var r = Array.IndexOf(ProgramBuilder.DropReasons, reason);
        if (r < 0) r = Array.IndexOf(ProgramBuilder.DropReasons, "internal_error");
        core.AtomicAdd(MemorySpace.Sram, _map.MadeCounter, (uint)n);
        core.AtomicAdd(MemorySpace.Sram, _map.DropCounters + 4 * (uint)r, (uint)n);
    }

    /// <summary>Sends the waiting packets in order until one must wait (then a retry is scheduled).</summary>
    private void Send(Core core)
    {
        var machine = core.Chip.Machine;
        var buffers = machine.Buffers;
        Span<uint> got = stackalloc uint[1];
        while (_waiting.TryPeek(out var o))
        {
            if (o.Buffer == 0)
            {
                if (Refused(machine, o.Packet) is { } reason)
                {
                    Count(core, reason, 1);
                    _waiting.Dequeue();
                    continue;
                }
                if (!core.RingGet(buffers.FreeListSpace, buffers.FreeListRing, got))
                {
                    PacketRetries++;
                    if (++o.Tries < InstructionSelection.AllocTries)
                    {
                        Retry(core);
                        return;
                    }
                    Count(core, "no_buffer", 1);
                    _waiting.Dequeue();
                    continue;
                }
                o.Buffer = got[0] & ~(uint)(buffers.SizeBytes - 1);
                core.AtomicAdd(MemorySpace.Sram, _map.MadeCounter, 1);
                Write(core, o, Into(o.Packet) == Target.Input);
            }
            var (space, ring, words) = Descriptor(machine, o);
            if (!core.RingPut(space, ring, words))
            {
                PacketRetries++;
                Retry(core);
                return;
            }
            _waiting.Dequeue();
            PacketsSent++;
            if (_stopped) _sentWhileStopped = true;
        }
    }

    private void Retry(Core core)
    {
        if (_stopped || _retryScheduled) return;
        _retryScheduled = true;
        core.Schedule(core.Now, c =>
        {
            _retryScheduled = false;
            Send(c);
        });
    }

    /// <summary>Why the chip cannot carry the packet, as the microcode would fault or drop it; null when it can.</summary>
    private string? Refused(MachineDescription machine, ControlPacket p)
    {
        var b = machine.Buffers;
        // The headroom in front of the origin is all an encap may use, and __pkt_write keeps 16 bytes of tail room.
        if (b.HeadroomBytes + p.Head < 0 || b.HeadroomBytes + (long)p.Offset + p.Data.Length > b.SizeBytes - 16) return "packet_too_large";
        if (Into(p) == Target.Transmit && OutPort(p) >= machine.Ports.Count) return "bad_port";
        return null;
    }

    private IrChannel Channel(ControlPacket p) => _module.Channels.Find(c => c.Id == p.Channel)!;

    private enum Target { Transmit, Input }

    /// <summary>Where the packet's channel leads: tx, or an input (the input rx feeds too: its channels from PPFs have a ring of their own).</summary>
    private Target Into(ControlPacket p) => Channel(p).To.IsDriver ? Target.Transmit : Target.Input;

    private int OutPort(ControlPacket p) => Field(p, "out_port");

    private int Field(ControlPacket p, string name)
    {
        var i = _module.Metadata.FindIndex(m => m.Name == name);
        return i < 0 ? 0 : (int)(p.Meta[i] & 0xff);
    }

    /// <summary>
    /// The ring and the descriptor words of a packet that has its buffer: the transmit ring of its out_port with
    /// (handle, port &lt;&lt; 16 | length), or the channel's input ring (ProgramBuilder.RingKey) with the handle, its record
    /// written. The dispatch loop reads every input ring from scratch.
    /// </summary>
    private (MemorySpace Space, int Ring, uint[] Words) Descriptor(MachineDescription machine, Outgoing o)
    {
        var p = o.Packet;
        var handle = o.Buffer + (uint)(machine.Buffers.HeadroomBytes + p.Offset);
        if (Into(p) == Target.Input) return (MemorySpace.Scratch, _build.InputRings[ProgramBuilder.RingKey(_module, Channel(p))], [handle]);
        var port = OutPort(p);
        var tx = machine.Ports[port];
        return (tx.TxRingSpace, tx.TxRing, [handle, (uint)(port << 16 | p.Data.Length)]);
    }

    /// <summary>
    /// The packet's bytes at its handle (the buffer's origin plus the handle's offset) through the cache, then its
    /// record when <paramref name="record"/>: both cleaned, so the MEs and the transmit DMA read them from memory.
    /// </summary>
    private void Write(Core core, Outgoing o, bool record)
    {
        var buffers = core.Chip.Machine.Buffers;
        var p = o.Packet;
        var handle = o.Buffer + (uint)(buffers.HeadroomBytes + p.Offset);
        var end = handle + (uint)p.Data.Length;
        // Whole words: the bytes around the packet in its first and last word are the fresh buffer's, nobody's data.
        var first = handle & ~3u;
        var image = new byte[((end + 3) & ~3u) - first];
        p.Data.CopyTo(image.AsSpan((int)(handle - first)));
        for (var w = 0; w < image.Length / 4; w++)
            core.Write32(MemorySpace.Dram, first + (uint)(4 * w), BinaryPrimitives.ReadUInt32BigEndian(image.AsSpan(4 * w)));
        core.Clean(MemorySpace.Dram, first, image.Length);
        if (!record) return;
        // The record as __pkt_new_record and the metadata stores leave it: word 0 the end, word 1 unused, then per
        // field its low word and its high word (0 for fields of up to 32 bits, which the MEs keep in one word).
        var at = RecordOf(core.Chip.Machine, o.Buffer);
        var words = new uint[2 + 2 * _module.Metadata.Count];
        words[0] = end;
        for (var i = 0; i < _module.Metadata.Count; i++)
        {
            var v = p.Meta[i];
            words[2 + 2 * i] = (uint)v;
            words[3 + 2 * i] = _module.Metadata[i].Type.Bits() > 32 ? (uint)(v >> 32) : 0;
        }
        for (var w = 0; w < words.Length; w++) core.Write32(MemorySpace.Sram, at + (uint)(4 * w), words[w]);
        core.Clean(MemorySpace.Sram, at, 4 * words.Length);
    }

    /// <summary>The SRAM address of a buffer's record (InstructionSelection.Packets: 128 bytes per buffer).</summary>
    public uint RecordOf(MachineDescription machine, uint buffer) =>
        _map.Records + ((buffer - machine.Buffers.DramBase) >> InstructionSelection.BufferShift << InstructionSelection.RecordShift);

    /// <summary>
    /// After a line that ran while the chip was stopped: when its packets are on their rings or still waiting, the chip
    /// runs again until they have drained (the MEs, asleep on their rings, wake at the line's put).
    /// </summary>
    private void Resume(Chip chip)
    {
        if (!_sentWhileStopped && _waiting.Count == 0) return;
        _sentWhileStopped = false;
        _stopped = false;
        if (_waiting.Count > 0) Retry(chip.ControlCore);
        chip.Run(_maxCycles);
        _stopped = true;
    }

    /// <summary>Packets still waiting for a buffer when the run ends are dropped no_buffer (those waiting for ring room hold one: in flight).</summary>
    private void Abandon(Core core)
    {
        var without = _waiting.Count(o => o.Buffer == 0);
        if (without == 0) return;
        core.Schedule(core.Now, c => Count(c, "no_buffer", without));
        core.RunRemaining();
    }
}
