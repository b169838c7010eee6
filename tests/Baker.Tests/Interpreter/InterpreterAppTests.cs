using System.Globalization;
using System.Text.RegularExpressions;
using Baker.Compiler.Driver;
using Baker.Compiler.Interpreter;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Interpreter;

/// <summary>
/// Small apps in tests/interp/apps, compiled and run on the reference interpreter. Each file states
/// its run in header comments, in order:
/// <c>// in: PORT HEX</c> (a received frame; spaces may split the hex, and no hex is an empty frame),
/// <c>// out: PORT HEX</c> (the transmitted frames, in order), <c>// dropped: REASON COUNT</c> (the whole
/// drop map), <c>// control: LINE</c> (the control script), <c>// log: LINE</c> (the whole control log) and
/// <c>// trace: LINE</c> (every trace line, "TIME text"). Frame k (from 0) arrives at (k + 1) × the spacing,
/// 1 µs unless a <c>// spacing: N</c> line (N in ns, or with <c>us</c> or <c>ms</c>) says otherwise. The
/// expectations were worked out by hand from the language reference, never taken from the interpreter.
/// </summary>
public class InterpreterAppTests
{
    private static readonly string AppsDir = Repo.Path("tests", "interp", "apps");
    private static readonly Regex Header = new(@"^//\s*(?<key>in|out|dropped|control|log|trace|spacing):[ \t]*(?<text>.*?)\s*$", RegexOptions.Multiline);

    public static TheoryData<string> Apps() =>
        new(Directory.GetFiles(AppsDir, "*.baker").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    internal sealed record Expectations(List<InputFrame> Frames, List<string> Out, List<string> Dropped,
        List<string> Control, List<string> Log, List<string> Trace);

    internal static Expectations Read(string text)
    {
        var e = new Expectations([], [], [], [], [], []);
        var received = new List<(int Port, byte[] Data)>();
        var spacing = 1000L;
        foreach (Match m in Header.Matches(text))
        {
            var value = m.Groups["text"].Value;
            switch (m.Groups["key"].Value)
            {
                case "in":
                    received.Add(Frame(value));
                    break;
                case "spacing":
                    var n = Regex.Match(value, @"^(?<n>[0-9]+)\s*(?<unit>ns|us|ms)?$");
                    if (!n.Success) throw new FormatException($"'// spacing: {value}': give ns, or a number with us or ms");
                    spacing = long.Parse(n.Groups["n"].Value, CultureInfo.InvariantCulture)
                        * n.Groups["unit"].Value switch { "us" => 1000L, "ms" => 1_000_000L, _ => 1L };
                    break;
                case "out":
                    var (outPort, outData) = Frame(value);
                    e.Out.Add(Show(outPort, outData));
                    break;
                case "dropped": e.Dropped.Add(Regex.Replace(value, @"\s+", " ")); break;
                case "control": e.Control.Add(value); break;
                case "log": e.Log.Add(value); break;
                default: e.Trace.Add(value); break;
            }
        }
        for (var k = 0; k < received.Count; k++)
            e.Frames.Add(new InputFrame((k + 1) * spacing, received[k].Port, received[k].Data, received[k].Data.Length, "test"));
        return e;
    }

    private static (int Port, byte[] Data) Frame(string text)
    {
        var parts = text.Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
        var port = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var hex = parts.Length > 1 ? Regex.Replace(parts[1], @"\s+", "") : "";
        return (port, Convert.FromHexString(hex));
    }

    private static string Show(int port, byte[] data) => $"{port} {Convert.ToHexStringLower(data)}";

    [Theory]
    [MemberData(nameof(Apps))]
    public void AppRunsAsItsHeaderSays(string name)
    {
        var path = Path.Combine(AppsDir, name);
        var expected = Read(File.ReadAllText(path));
        Assert.True(expected.Frames.Count > 0 || expected.Control.Count > 0, $"{name} has no '// in:' or '// control:' lines");

        var compiled = Compilation.Compile([path], new CompileOptions());
        Assert.False(compiled.HasErrors, string.Join("\n", compiled.Diagnostics));
        var script = expected.Control.Count == 0 ? null : ControlScriptParser.Parse(string.Join("\n", expected.Control), name);
        Assert.True(script is null || script.Errors.Count == 0, string.Join("\n", script?.Errors ?? []));

        var run = new IrInterpreter(compiled.Module!).Run(expected.Frames, script);

        Assert.Equal(expected.Out, run.Outputs.Select(o => Show(o.Port, o.Data)));
        Assert.Equal(expected.Dropped.Order(StringComparer.Ordinal), run.Dropped.Select(d => $"{d.Key} {d.Value}"));
        Assert.Equal(expected.Log, run.ControlLog);
        Assert.Equal(expected.Trace, run.TraceLines);
        Assert.True(run.ControlErrors.Count == 0, string.Join("\n", run.ControlErrors));
        Assert.Equal(0, run.QueuedAtEnd);
        Assert.True(run.Conserved, $"not conserved: {run.PacketsIn} in + {run.Created} made != {run.Transmitted} out + {run.DroppedTotal} dropped");
    }
}
