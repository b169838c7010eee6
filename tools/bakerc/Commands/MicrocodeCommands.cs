using System.CommandLine;
using Baker.Runtime.Isa;
using Baker.Runtime.Machine;
using Baker.Runtime.Memory;
using Baker.Runtime.Pcap;
using Baker.Runtime.Ports;

namespace Baker.Tools.Bakerc.Commands;

/// <summary>
/// <c>bakerc asm</c>, <c>bakerc disasm</c> and <c>bakerc emu</c>: hand-written microcode on the
/// emulated network processor. All the work is in runtime/ (Isa, Machine); this only maps
/// arguments and turns the runtime's errors into messages and exit codes.
/// </summary>
public static class MicrocodeCommands
{
    public static Command Asm(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("file") { Description = "microcode source (.uasm)" };
        var output = new Option<string>("--out", "-o") { Description = "image file to write", Required = true };
        var command = new Command("asm", "Assemble microcode into an image") { file, output };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (!File.Exists(path)) { stderr.WriteLine($"{path}(1,1): error BK5101: cannot read the file"); return Program.InputErrors; }
            var result = Assembler.Assemble(File.ReadAllText(path), path);
            foreach (var d in result.Diagnostics) stderr.WriteLine(d);
            if (!result.Success) return Program.InputErrors;
            ImageFile.Write(result.Image!, parse.GetValue(output)!);
            return Program.Success;
        });
        return command;
    }

    public static Command Disasm(TextWriter stdout, TextWriter stderr)
    {
        var image = new Argument<string>("image") { Description = "image file written by 'bakerc asm'" };
        var command = new Command("disasm", "Print an image as microcode text (assembles back to the same image)") { image };
        command.SetAction(parse => Guard(stderr, () =>
        {
            stdout.Write(Disassembler.Disassemble(ImageFile.Read(parse.GetValue(image)!)));
            return Program.Success;
        }));
        return command;
    }

    public static Command Emu(TextWriter stdout, TextWriter stderr)
    {
        var images = new Argument<string[]>("images") { Description = "microcode images, one per microengine group", Arity = ArgumentArity.OneOrMore };
        var traces = new Option<string[]>("--trace") { Description = "input trace: FILE (port 0) or N=FILE (port N); repeatable", Required = true, AllowMultipleArgumentsPerToken = false };
        var output = new Option<string>("--out", "-o") { Description = "output folder (port<N>.pcap, stats.json)", Required = true };
        var machine = new Option<string?>("--machine") { Description = "machine description JSON (default: the IXP2400-class machine)" };
        var traffic = new TrafficArguments();
        var quantum = new Option<int>("--sync-quantum") { Description = "cycles an ME may run ahead of the others before a shared reference waits (default 0: exact global order; larger is faster)" };
        var command = new Command("emu", "Run microcode images on the emulated network processor") { images, traces, output, machine, quantum };
        foreach (var o in traffic.All) command.Options.Add(o);
        command.SetAction(parse => Guard(stderr, () =>
        {
            var o = new EmulatorOptions { OutputDirectory = parse.GetValue(output) };
            if (parse.GetValue(machine) is { } m) o.Machine = MachineDescription.Load(m);
            foreach (var img in parse.GetValue(images)!) o.Images.Add(ImageFile.Read(img));
            foreach (var t in parse.GetValue(traces)!) o.AddTrace(t);
            if (traffic.Apply(parse, o.Traffic) is { } problem) throw new EmulatorException(problem);
            o.SyncQuantumCycles = parse.GetValue(quantum);
            if (o.SyncQuantumCycles < 0) throw new EmulatorException("--sync-quantum must be 0 or more cycles");
            stdout.WriteLine(EmulatorRun.Run(o));
            return Program.Success;
        }));
        return command;
    }

    /// <summary>The runtime reports bad inputs (corrupt image, pcap, machine file) as exceptions with located messages.</summary>
    internal static int Guard(TextWriter stderr, Func<int> action)
    {
        try { return action(); }
        catch (Exception e) when (e is ImageFormatException or PcapFormatException or MachineDescriptionException or EmulatorException or IOException)
        {
            stderr.WriteLine($"bakerc: error: {e.Message}");
            return Program.InputErrors;
        }
    }
}
