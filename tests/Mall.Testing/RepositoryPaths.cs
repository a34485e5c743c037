namespace Mall.Testing;

public static class RepositoryPaths
{
    /// <summary>The repository root: the nearest directory above the test binaries holding Mall.Functions.sln.</summary>
    public static string Root { get; } = FindRoot();

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
