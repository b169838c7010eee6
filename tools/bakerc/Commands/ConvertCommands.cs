using System.CommandLine;
using Baker.Tools.Bakerc.Convert;

namespace Baker.Tools.Bakerc.Commands;

/// <summary><c>bakerc convert routes|classbench FILE</c>: turn public data formats into control scripts for the samples (on standard output).</summary>
public static class ConvertCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var convert = new Command("convert", "Turn a route list or a ClassBench rule file into a control script for a sample app");
        convert.Subcommands.Add(Routes(stdout, stderr));
        convert.Subcommands.Add(ClassBench(stdout, stderr));
        return convert;
    }

    private static Command Routes(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("file") { Description = "route list: prefix/len<TAB>next_hop_ip<TAB>port per line (# comments)" };
        var command = new Command("routes", "Control script for samples/l3_switch: interfaces, routes and static ARP for every next hop") { file };
        command.SetAction(parse => Run(parse.GetValue(file)!, stderr, input => RoutesConverter.Convert(input, parse.GetValue(file)!, stdout)));
        return command;
    }

    private static Command ClassBench(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("file") { Description = "ClassBench filter set (@SA/len DA/len sp : sp dp : dp proto/mask flags/mask)" };
        var queryHits = new Option<bool>("--query-hits") { Description = "append @end rule_hits(i) queries for every rule" };
        var command = new Command("classbench", "Control script for samples/firewall: the rules in order") { file, queryHits };
        command.SetAction(parse => Run(parse.GetValue(file)!, stderr,
            input => ClassBenchConverter.Convert(input, parse.GetValue(file)!, parse.GetValue(queryHits), stdout)));
        return command;
    }

    private static int Run(string path, TextWriter stderr, Action<TextReader> convert)
    {
        try
        {
            using var input = new StreamReader(path);
            convert(input);
            return Program.Success;
        }
        catch (ConvertException e)
        {
            stderr.WriteLine($"bakerc: {e.Message}");
            return Program.InputErrors;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"bakerc: cannot read {path}: {e.Message}");
            return Program.InputErrors;
        }
    }
}
