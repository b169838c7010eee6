using System.CommandLine;
using Baker.Tools.Bakerc.Commands;

namespace Baker.Tools.Bakerc;

/// <summary>bakerc: the command-line face of the compiler Driver and the runtime. No compiler logic lives here.</summary>
public static class Program
{
    /// <summary>Exit codes: 0 success, 1 errors in the input, 2 usage errors.</summary>
    public const int Success = 0, InputErrors = 1, UsageError = 2;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("bakerc: the Baker compiler toolchain");
        root.Subcommands.Add(CheckCommand.Create(stdout, stderr));
        root.Subcommands.Add(RunCommands.DumpIr(stdout, stderr));
        root.Subcommands.Add(RunCommands.Run(stdout, stderr));
        root.Subcommands.Add(RunCommands.Build(stdout, stderr));
        root.Subcommands.Add(RunCommands.Profile(stdout, stderr));
        root.Subcommands.Add(MicrocodeCommands.Asm(stdout, stderr));
        root.Subcommands.Add(MicrocodeCommands.Disasm(stdout, stderr));
        root.Subcommands.Add(MicrocodeCommands.Emu(stdout, stderr));
        root.Subcommands.Add(ConvertCommands.Create(stdout, stderr));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) stderr.WriteLine($"bakerc: {e.Message}");
            stderr.WriteLine("Run 'bakerc --help' for usage.");
            return UsageError;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}
