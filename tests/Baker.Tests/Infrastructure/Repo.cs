namespace Baker.Tests.Infrastructure;

/// <summary>Locations of the repository and of the shared data beside it, found from the test binary.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The shared folder beside the checkout (real traces, rule sets); null when absent.</summary>
    public static string? Shared
    {
        get
        {
            var dir = System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, "..", "shared"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Baker.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Baker.sln not found above {AppContext.BaseDirectory}");
    }
}
