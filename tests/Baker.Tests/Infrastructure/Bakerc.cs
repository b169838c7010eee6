namespace Baker.Tests.Infrastructure;

/// <summary>Runs the bakerc command line in-process and captures what it prints.</summary>
public static class Bakerc
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Baker.Tools.Bakerc.Program.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
