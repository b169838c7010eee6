using System.CommandLine;
using Baker.Compiler.Driver;

namespace Baker.Tools.Bakerc.Commands;

/// <summary><c>bakerc check FILE...</c>: runs the front end and prints its diagnostics.</summary>
public static class CheckCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var files = new Argument<string[]>("files") { Description = "Baker source files (one program; imports are followed)", Arity = ArgumentArity.OneOrMore };
        // An unknown option would otherwise be taken for a file name.
        files.Validators.Add(r =>
        {
            foreach (var t in r.Tokens.Where(t => t.Value.StartsWith('-')))
                r.AddError($"unknown option '{t.Value}'");
        });
        var command = new Command("check", "Parse and check a Baker program; print its diagnostics") { files };
        command.SetAction(parse =>
        {
            var result = FrontEnd.Check(parse.GetValue(files)!);
            foreach (var d in result.Diagnostics) stderr.WriteLine(d);
            int errors = result.Diagnostics.Count(d => d.IsError), warnings = result.Diagnostics.Count - errors;
            if (errors > 0 || warnings > 0) stderr.WriteLine($"{errors} error(s), {warnings} warning(s)");
            return result.HasErrors ? Program.InputErrors : Program.Success;
        });
        return command;
    }
}
