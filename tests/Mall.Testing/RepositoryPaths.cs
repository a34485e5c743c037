namespace Mall.Testing;

public static class RepositoryPaths
{
    /// <summary>The repository root: the nearest directory above the test binaries holding Mall.Functions.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// A project's build output for the configuration and framework these binaries were built with, e.g.
    /// BuildOutput("functions/Mall.Functions") is functions/Mall.Functions/bin/Release/net10.0.
    /// </summary>
    public static string BuildOutput(string project)
    {
        var segments = Path.GetRelativePath(Root, AppContext.BaseDirectory).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var bin = Array.IndexOf(segments, "bin");
        return bin < 0
            ? throw new InvalidOperationException($"The binaries in {AppContext.BaseDirectory} are not in a project's bin folder.")
            : Path.Combine([Root, project, .. segments[bin..]]);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mall.Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Could not find Mall.Functions.sln above " + AppContext.BaseDirectory);
    }
}
