namespace Mall.InfraBicep.Tests;

/// <summary>Paths inside the repository, found by walking up to the solution file.</summary>
public sealed class RepositoryPaths
{
    private RepositoryPaths(string root)
    {
        Root = root;
    }

    public string Root { get; }

    public string InfraDirectory => Path.Combine(Root, "infra-bicep");

    public string SampleSettings => Path.Combine(Root, "local.settings.sample.json");

    public string LocalOnlySettings => Path.Combine(InfraDirectory, "local-only-settings.json");

    public string InfraReadme => Path.Combine(InfraDirectory, "README.md");

    public static RepositoryPaths Locate()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mall.Functions.sln")))
            {
                return new RepositoryPaths(directory.FullName);
            }
        }

        throw new InvalidOperationException($"Mall.Functions.sln not found above {AppContext.BaseDirectory}.");
    }
}
