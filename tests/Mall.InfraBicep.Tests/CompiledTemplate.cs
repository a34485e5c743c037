using System.Text.Json.Nodes;

namespace Mall.InfraBicep.Tests;

[CollectionDefinition(Name)]
public sealed class BicepCollection : ICollectionFixture<CompiledTemplate>
{
    public const string Name = "bicep";
}

/// <summary>
/// Compiles and lints infra-bicep once per test run (the CLI calls run in parallel) and offers the
/// compiled ARM JSON. Resources are found by walking the whole tree, so nested module deployments
/// and both ARM language versions (resources as array or as symbolic-name object) are covered.
/// </summary>
public sealed class CompiledTemplate : IAsyncLifetime
{
    public RepositoryPaths Paths { get; } = RepositoryPaths.Locate();

    public BicepResult Build { get; private set; } = null!;

    public BicepResult Lint { get; private set; } = null!;

    public BicepResult BuildParams { get; private set; } = null!;

    public BicepResult LintParams { get; private set; } = null!;

    public JsonObject Template { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var cli = BicepCli.Locate();
        var directory = Paths.InfraDirectory;
        var build = cli.RunAsync(directory, "build", "main.bicep", "--stdout", "--no-restore");
        var lint = cli.RunAsync(directory, "lint", "main.bicep", "--no-restore");
        var buildParams = cli.RunAsync(directory, "build-params", "main.bicepparam", "--stdout", "--no-restore");
        var lintParams = cli.RunAsync(directory, "lint", "main.bicepparam", "--no-restore");
        (Build, Lint, BuildParams, LintParams) = (await build, await lint, await buildParams, await lintParams);
        Template = Build.ExitCode == 0
            ? JsonNode.Parse(Build.StandardOutput)!.AsObject()
            : throw new InvalidOperationException(Build.ToString());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public IEnumerable<JsonObject> Resources() => Walk(Template).Where(IsResource);

    public IReadOnlyList<JsonObject> ResourcesOfType(string type) =>
        [.. Resources().Where(resource => string.Equals((string?)resource["type"], type, StringComparison.OrdinalIgnoreCase))];

    public JsonObject Single(string type)
    {
        var matches = ResourcesOfType(type);
        Assert.True(matches.Count == 1, $"Expected exactly one {type}, found {matches.Count}.");
        return matches[0];
    }

    /// <summary>Templates (main and every module) that declare resources of the given type.</summary>
    public IEnumerable<JsonObject> TemplatesDeclaring(string type) =>
        Walk(Template).Where(node => node["$schema"] is not null && node["resources"] is not null)
            .Where(template => ResourcesIn(template)
                .Any(resource => string.Equals((string?)resource["type"], type, StringComparison.OrdinalIgnoreCase)));

    /// <summary>The top-level resources of one template (not those of its nested deployments).</summary>
    public static IEnumerable<JsonObject> ResourcesIn(JsonObject template) =>
        Children(template["resources"]).OfType<JsonObject>();

    /// <summary>
    /// The app settings the deployment decides, key by key: the object literal the template writes
    /// (merged with the overrides, see <see cref="SettingOverrides"/>). A value is its ARM
    /// expression's text, or the plain string for a constant.
    /// </summary>
    public JsonObject AppSettings
    {
        get
        {
            var config = ResourcesOfType("Microsoft.Web/sites/config")
                .Where(resource => ((string?)resource["name"] ?? string.Empty).Contains("'appsettings'", StringComparison.Ordinal))
                .ToList();
            Assert.True(config.Count == 1, $"Expected one sites/config 'appsettings' resource, found {config.Count}.");
            return config[0]["properties"] switch
            {
                JsonObject literal => literal,
                JsonValue expression when ArmExpression.FirstObject(expression.GetValue<string>()) is { } merged => merged,
                _ => throw new InvalidOperationException("App settings must be an object literal, or one merged with the overrides (union), or their keys cannot be checked."),
            };
        }
    }

    /// <summary>The settings a deployment may override (the settingOverrides type): set only when given.</summary>
    public IReadOnlyDictionary<string, JsonObject> SettingOverrides =>
        Template["definitions"]?["settingOverrides"]?["properties"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.AsObject())
            ?? throw new InvalidOperationException("main.bicep has no settingOverrides type.");

    /// <summary>The parameter values main.bicepparam gives.</summary>
    public JsonObject ExampleParameters =>
        JsonNode.Parse(JsonNode.Parse(BuildParams.StandardOutput)!["parametersJson"]!.GetValue<string>())!["parameters"]!.AsObject();

    public JsonObject MainParameter(string name) =>
        Template["parameters"]?[name]?.AsObject() ?? throw new InvalidOperationException($"main.bicep has no parameter '{name}'.");

    public static string? Text(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node?[part];
        }

        return node?.ToString();
    }

    private static bool IsResource(JsonObject node) =>
        node["type"] is JsonValue type && type.TryGetValue<string>(out _) &&
        node["apiVersion"] is JsonValue apiVersion && apiVersion.TryGetValue<string>(out _);

    private static IEnumerable<JsonObject> Walk(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            yield return obj;
        }

        foreach (var child in Children(node))
        {
            foreach (var descendant in Walk(child))
            {
                yield return descendant;
            }
        }
    }

    private static IEnumerable<JsonNode?> Children(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Select(property => property.Value),
        JsonArray array => array,
        _ => [],
    };
}
