using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Baker.Tests.Infrastructure;

/// <summary>
/// Expected-output files beside the test cases. A mismatch fails with a line diff; setting the
/// environment variable BAKER_BLESS=1 rewrites the expected file instead (never set in CI:
/// .ci/run refuses to run with it).
/// </summary>
public static class Snapshot
{
    public static bool Blessing => Environment.GetEnvironmentVariable("BAKER_BLESS") == "1";

    public static void Match(string expectedPath, string actual)
    {
        actual = Normalize(actual);
        if (Blessing)
        {
            if (!File.Exists(expectedPath) || Normalize(File.ReadAllText(expectedPath)) != actual)
                File.WriteAllText(expectedPath, actual);
            return;
        }
        if (!File.Exists(expectedPath))
            Assert.Fail($"missing expected file {expectedPath}; run the tests with BAKER_BLESS=1 to create it, then review it.\nactual:\n{actual}");
        var expected = Normalize(File.ReadAllText(expectedPath));
        if (expected == actual) return;
        Assert.Fail($"{expectedPath} differs (- expected, + actual; BAKER_BLESS=1 rewrites it):\n{Diff(expected, actual)}");
    }

    public static string Diff(string expected, string actual)
    {
        var model = new InlineDiffBuilder(new DiffPlex.Differ()).BuildDiffModel(expected, actual);
        var lines = new List<string>();
        foreach (var line in model.Lines)
        {
            string prefix = line.Type switch { ChangeType.Inserted => "+ ", ChangeType.Deleted => "- ", _ => "  " };
            lines.Add(prefix + line.Text);
        }
        return string.Join("\n", lines);
    }

    private static string Normalize(string s) => s.Replace("\r\n", "\n").TrimEnd('\n') + "\n";
}
