using Baker.Tests.Infrastructure;

namespace Baker.Tests.Tools;

/// <summary>The command line: exit codes 0 (clean), 1 (errors in the input), 2 (usage), and where output goes.</summary>
public class BakercCheckTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => Bakerc.Run(args);

    [Fact]
    public void CleanProgramExitsZeroAndPrintsNothing()
    {
        var file = Directory.GetFiles(Repo.Path("tests", "frontend", "valid"), "*.baker").Order(StringComparer.Ordinal).First();
        var (exit, _, err) = Run("check", file);
        Assert.Equal(0, exit);
        Assert.Equal("", err);
    }

    [Fact]
    public void ProgramWithErrorsExitsOneWithLocatedDiagnostics()
    {
        var dir = Directory.CreateTempSubdirectory("bakerc");
        var file = Path.Combine(dir.FullName, "bad.baker");
        File.WriteAllText(file, "u32 x = ;\n");
        var (exit, _, err) = Run("check", file);
        Assert.Equal(1, exit);
        Assert.Matches(@"bad\.baker\(1,9\): error BK1003: ", err);
        Assert.Contains("1 error(s), 0 warning(s)", err);
    }

    [Fact]
    public void MissingFileIsAnInputErrorWithCode()
    {
        var (exit, _, err) = Run("check", "/nonexistent/none.baker");
        Assert.Equal(1, exit);
        Assert.Contains("error BK1011: cannot read source file", err);
    }

    [Theory]
    [InlineData]
    [InlineData("check")]
    [InlineData("frobnicate", "x.baker")]
    [InlineData("check", "--no-such-option", "x.baker")]
    public void UsageErrorsExitTwo(params string[] args)
    {
        var (exit, _, _) = Run(args);
        Assert.Equal(2, exit);
    }
}
