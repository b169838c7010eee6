using System.Globalization;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.IR;

namespace Baker.Compiler.Interpreter;

public sealed partial class IrInterpreter
{
    private readonly Queue<(int Channel, ulong Handle, int Hops)> queue = new();
    private RunResult result = new();
    // out_port is a u8, so 256 counters cover every port; copied into the result at the end.
    private readonly long[] portCounts = new long[256];
    private int currentHops;
    private long stepLimit;          // of the running invocation: packet code or control code
    private readonly ulong[] invokeArgument = new ulong[1];

    /// <summary>
    /// Runs the app: every init, the control script's start lines, then each frame in order (running
    /// @time lines as the trace reaches their time), then the @end lines. Each packet runs to completion
    /// (every PPF it reaches, queue order) before the next enters; this order defines the reference output.
    /// </summary>
    public RunResult Run(IReadOnlyList<InputFrame> frames, ControlScript? script = null)
    {
        result = new RunResult();
        Array.Clear(portCounts);
        long first = frames.Count > 0 ? frames[0].TimestampNs : 0;
        now = first;
        foreach (var e in script?.Errors ?? []) result.ControlErrors.Add(e);
        var calls = script?.Calls ?? [];
        var timed = calls.Where(c => c.When == ControlWhen.At).OrderBy(c => c.AtNs).ToList();   // OrderBy is stable

        foreach (var inst in module.Instances.Where(i => i.Init is not null))
            RunControlCode(byIr[inst.Init!], [], $"{inst.Path}.init", null);
        foreach (var call in calls.Where(c => c.When == ControlWhen.Start)) RunControlCall(call);

        int nextTimed = 0;
        foreach (var frame in frames)
        {
            while (nextTimed < timed.Count && first + timed[nextTimed].AtNs <= frame.TimestampNs)
            {
                now = first + timed[nextTimed].AtNs;
                RunControlCall(timed[nextTimed++]);
            }
            now = frame.TimestampNs;
            Receive(frame);
        }
        for (; nextTimed < timed.Count; nextTimed++)
        {
            now = Math.Max(now, first + timed[nextTimed].AtNs);
            RunControlCall(timed[nextTimed]);
        }
        foreach (var call in calls.Where(c => c.When == ControlWhen.End)) RunControlCall(call);

        for (int port = 0; port < portCounts.Length; port++)
            if (portCounts[port] > 0) result.PerPortOut[port] = portCounts[port];
        result.QueuedAtEnd = queue.Count;
        if (profile is not null) result.Profile = profile.Snapshot(result.PacketsIn);
        return result;
    }

    private void Receive(InputFrame frame)
    {
        result.PacketsIn++;
        if (frame.Data.Length < frame.OriginalLength) result.TruncatedFramesIn++;
        var p = NewPacket(frame.Data, frame.TimestampNs);
        var handle = Packet.Handle(p.Id, 0);
        if (inPortField >= 0) p.Meta[inPortField] = (ulong)frame.Port;
        profile?.BeginPacket();
        if (rxChannel < 0) Release(p, "no_receiver");
        else Enqueue(rxChannel, handle, 0);
        Drain();
        profile?.EndPacket();
    }

    private void Enqueue(int channel, ulong handle, int hops)
    {
        var p = Pkt(handle);
        if (hops > options.HopLimit) { Release(p, "hop_limit"); return; }
        if (queue.Count >= options.QueueLimit) { Release(p, "queue_full"); return; }
        if (profile is not null) profile.ChannelPackets[channel]++;
        queue.Enqueue((channel, handle, hops));
    }

    private void Put(int channel, ulong handle)
    {
        var p = Pkt(handle);
        if (!owned.Remove(p.Id)) throw new PacketFault("not_owned", "channel_put of a packet this invocation does not own");
        if (channel < 0) throw new PacketFault("unwired", "channel_put on an output endpoint with no channel");
        if (controlPuts is { } sink)
        {
            // Control code for a target that processes the packets itself: the packet leaves the interpreter here.
            int at = Packet.OffsetOf(handle);
            sink(new ControlPacket(channel, at, p.Head, p.From(at).ToArray(), (ulong[])p.Meta.Clone()));
            packets[p.Id] = null;
            return;
        }
        Enqueue(channel, handle, currentHops + 1);
    }

    private void Release(Packet p, string reason)
    {
        packets[p.Id] = null;
        owned.Remove(p.Id);
        result.Drop(reason);
    }

    private void Drain()
    {
        while (queue.Count > 0)
        {
            var (channelId, handle, hops) = queue.Dequeue();
            var f = channelTargets[channelId];
            if (f is null) { Transmit(handle); continue; }
            owned.Clear();
            owned.Add(Packet.IdOf(handle));
            currentHops = hops;
            invokeArgument[0] = handle;
            Invoke(f, invokeArgument, null);
        }
    }

    private void Transmit(ulong handle)
    {
        var p = Pkt(handle);
        int port = outPortField >= 0 ? (int)p.Meta[outPortField] : 0;
        var frame = new OutputFrame(now, port, p.From(Packet.OffsetOf(handle)).ToArray());
        if (options.OnTransmit is { } sink) sink(frame);
        else result.Outputs.Add(frame);
        portCounts[port & 0xFF]++;
        result.Transmitted++;
        packets[p.Id] = null;
    }

    /// <summary>
    /// Runs one invocation. A fault drops every packet the invocation owns with the fault's reason and
    /// releases the locks it holds; a packet still owned at the end (the checker makes that impossible for
    /// checked programs) is dropped as leaked; an interpreter failure is dropped as internal_error. Locks an
    /// invocation that returns still holds stay held. Returns the function's result, or null when it faulted.
    /// </summary>
    private ulong? Invoke(CompiledFunction f, ulong[] args, string? what)
    {
        stepLimit = what is null ? options.StepLimit : options.ControlStepLimit;
        steps = stepLimit;
        heldLocks.Clear();
        if (profile is not null)
        {
            profile.Current = f.Instance >= 0 && what is null ? f.Instance : module.Instances.Count;
            profile.Invocations[profile.Current]++;
        }
        try
        {
            ulong r = Execute(f, args);
            while (owned.Count > 0) Release(packets[owned[^1]]!, "leaked");
            return r;
        }
        catch (PacketFault fault)
        {
            Fault(fault.Reason, fault.Message, f);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or IndexOutOfRangeException or ArgumentOutOfRangeException or ArgumentException)
        {
            Fault("internal_error", e.Message, f);
            return null;
        }
        finally
        {
            if (profile is not null) profile.Current = module.Instances.Count;
        }
    }

    private void Fault(string reason, string detail, CompiledFunction f)
    {
        foreach (var fn in functions) fn.Active = false;     // the frames the fault unwound
        while (owned.Count > 0) Release(packets[owned[^1]]!, reason);
        // The invocation is over: a lock it holds could never be released (the chip's fault handler releases them too).
        foreach (var at in heldLocks) memory[at] = 0;
        heldLocks.Clear();
        result.FirstFault.TryAdd(reason, $"{detail} (in @{f.Ir.Name})");
        lastFault = $"{reason}: {detail}";
    }

    private string? lastFault;

    /// <summary>"reason: detail" of the last fault, or null.</summary>
    public string? LastFault => lastFault;

    /// <summary>The trace lines printed since the last run started (or since this interpreter was made): <see cref="Call"/>'s too.</summary>
    public IReadOnlyList<string> TraceLines => result.TraceLines;

    /// <summary>
    /// Calls a function directly, outside any run (tests start in the middle this way): returns its
    /// result (0 for void), or null when it faulted, with the reason in <see cref="LastFault"/>.
    /// </summary>
    public ulong? Call(string function, params ulong[] args)
    {
        var f = module.Function(function) ?? throw new ArgumentException($"no function @{function}");
        if (args.Length != f.Params.Count) throw new ArgumentException($"@{function} takes {f.Params.Count} argument(s)");
        owned.Clear();
        lastFault = null;
        return Invoke(byIr[f], args.Select((a, i) => f.Params[i].Type.Normalize(a)).ToArray(), function);
    }

    /// <summary>
    /// Runs every init and the control script's start lines, and nothing else: a target that processes the
    /// packets itself (the emulated chip) starts from the memory this leaves (<see cref="ReadObject"/>), and
    /// runs the script's later lines with <see cref="RunControlLine"/>. now() reads <paramref name="nowNs"/>,
    /// the first packet's time (as in <see cref="Run"/>).
    /// </summary>
    /// <remarks>
    /// With <paramref name="puts"/>, each packet init or a line puts on a channel goes to it (in put order) instead
    /// of being processed here; packets the code makes and drops (or a fault frees) are counted in the result as
    /// always (<see cref="RunResult.Created"/>, <see cref="RunResult.Dropped"/>).
    /// </remarks>
    public RunResult RunSetup(ControlScript? script, long nowNs = 0, Action<ControlPacket>? puts = null)
    {
        result = new RunResult();
        now = nowNs;
        controlPuts = puts;
        try
        {
            foreach (var e in script?.Errors ?? []) result.ControlErrors.Add(e);
            foreach (var inst in module.Instances.Where(i => i.Init is not null))
                RunControlCode(byIr[inst.Init!], [], $"{inst.Path}.init", null);
            foreach (var call in (script?.Calls ?? []).Where(c => c.When == ControlWhen.Start)) RunControlCall(call);
        }
        finally
        {
            controlPuts = null;
        }
        return result;
    }

    /// <summary>
    /// Runs one control line (an @time or @end line) at emulated time <paramref name="nowNs"/>, for a target that
    /// processes the packets itself; its log lines and errors join the result <see cref="RunSetup"/> returned, and
    /// the packets it puts go to <paramref name="puts"/> as in <see cref="RunSetup"/>.
    /// </summary>
    public void RunControlLine(ControlCall call, long nowNs, Action<ControlPacket>? puts = null)
    {
        now = nowNs;
        controlPuts = puts;
        try
        {
            RunControlCall(call);
        }
        finally
        {
            controlPuts = null;
        }
    }

    /// <summary>Where control code's puts go instead of the run queue (RunSetup, RunControlLine), or null.</summary>
    private Action<ControlPacket>? controlPuts;

    /// <summary>The bytes of a global or state object (tests read results this way).</summary>
    public byte[] ReadObject(string name)
    {
        var o = Object(name);
        return memory.AsSpan(addresses[o], o.Size).ToArray();
    }

    /// <summary>Replaces the bytes of a global or state object: a target that runs the packets itself brings in what they changed.</summary>
    public void WriteObject(string name, ReadOnlySpan<byte> bytes)
    {
        var o = Object(name);
        if (bytes.Length != o.Size) throw new ArgumentException($"@{name} has {o.Size} bytes, not {bytes.Length}");
        bytes.CopyTo(memory.AsSpan(addresses[o]));
    }

    private StorageObject Object(string name) => module.Objects.Find(x => x.Name == name) ?? throw new ArgumentException($"no object @{name}");

    // ---- init and the control plane ------------------------------------------------------------

    private void RunControlCode(CompiledFunction f, ulong[] args, string text, ControlCall? call)
    {
        owned.Clear();
        currentHops = 0;
        lastFault = null;
        var r = Invoke(f, args, text);
        if (r is null)
        {
            var at = call is null ? new SourceSpan(f.Ir.Location?.File ?? "<init>", f.Ir.Location?.Line ?? 0, f.Ir.Location?.Column ?? 0, 0, 0)
                                  : new SourceSpan(call.File, call.Line, 1, 0, 0);
            result.ControlErrors.Add(DiagnosticCatalog.ControlCallFailed.At(at, text, lastFault ?? "a fault"));
            result.ControlLog.Add($"{text} failed: {lastFault}");
        }
        else if (call is not null && f.Ir.ReturnType != IrType.Void)
            result.ControlLog.Add($"{call.Text} = {Format(r.Value, f.Ir.ReturnType)}");
        Drain();
    }

    private void RunControlCall(ControlCall call)
    {
        var at = new SourceSpan(call.File, call.Line, 1, 0, 0);
        var inst = module.Instance(call.Path);
        if (inst is null)
        {
            result.ControlErrors.Add(DiagnosticCatalog.UnknownInstancePath.At(at, call.Path, string.Join(", ", module.Instances.Select(i => i.Path))));
            return;
        }
        var f = inst.Controls.Find(c => c.Name == $"{inst.Path}.{call.Function}");
        if (f is null)
        {
            var names = inst.Controls.Select(c => c.Name[(inst.Path.Length + 1)..]).ToList();
            result.ControlErrors.Add(DiagnosticCatalog.UnknownControlFunction.At(at, call.Function, call.Path,
                names.Count == 0 ? "none" : string.Join(", ", names)));
            return;
        }
        var parameters = f.Params.Select(p => (p.Hint ?? "?", p.Type.Bits(), p.Type.IsSigned(), p.Type.Name())).ToList();
        if (ControlCallChecker.CheckArguments(call, parameters) is { } problem)
        {
            result.ControlErrors.Add(problem);
            return;
        }
        var args = call.Args.Select((a, i) => f.Params[i].Type.Normalize(a.Value)).ToArray();
        RunControlCode(byIr[f], args, call.Text, call);
    }

    private static string Format(ulong v, IrType t) =>
        t.IsSigned() ? ((long)v).ToString(CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);

    // ---- trace ---------------------------------------------------------------------------------

    /// <summary>A trace line at the interpreter's now (the packet's timestamp), formatted as every target formats it (TraceFormat).</summary>
    private void Trace(TraceSite site, ulong[] regs)
    {
        var values = new ulong[site.Args.Length];
        for (var k = 0; k < values.Length; k++) values[k] = regs[site.Args[k]];
        result.TraceLines.Add(TraceFormat.Line(now, TraceFormat.Text(site.Format, values, site.Types)));
    }
}
