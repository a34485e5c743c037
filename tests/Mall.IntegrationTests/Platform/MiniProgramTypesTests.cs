using System.Diagnostics;
using System.Text.Json.Nodes;
using Mall.Functions.Http;
using Mall.Testing;

namespace Mall.IntegrationTests.Platform;

/// <summary>
/// The mini-program's TypeScript types (clients/miniprogram/mall-api.d.ts) are generated from the API document
/// with openapi-typescript and checked in; its typed client (client.ts) must compile against them with tsc.
/// Both tools come from npm, pinned in package.json (npm ci installs them). After an API change, regenerate with
/// MALL_UPDATE_API_TYPES=1 bash eng/test.sh --filter FullyQualifiedName~MiniProgramTypesTests.
/// </summary>
public sealed class MiniProgramTypesTests : IDisposable
{
    private static readonly string Client = Path.Combine(RepositoryPaths.Root, "clients", "miniprogram");

    private readonly DirectoryInfo scratch = Directory.CreateTempSubdirectory("mall-api-types-");

    [Fact]
    public async Task The_checked_in_types_are_generated_from_the_document_and_the_client_compiles_against_them()
    {
        var generated = await GenerateAsync(ApiDocument.MiniProgramJson);
        var checkedIn = Path.Combine(Client, "mall-api.d.ts");
        if (Environment.GetEnvironmentVariable("MALL_UPDATE_API_TYPES") == "1")
        {
            File.Copy(generated, checkedIn, overwrite: true);
        }

        Assert.True(
            File.Exists(checkedIn) && File.ReadAllText(checkedIn) == File.ReadAllText(generated),
            $"{checkedIn} is not what the API document generates: regenerate it with MALL_UPDATE_API_TYPES=1 bash eng/test.sh --filter FullyQualifiedName~MiniProgramTypesTests, and commit it.");
        var (exitCode, output) = await NodeAsync("node_modules/typescript/bin/tsc", "--noEmit", "-p", Client);
        Assert.True(exitCode == 0, output);
    }

    /// <summary>The check can fail: the client reads order.pricing.payableFen, so a document without it does not compile.</summary>
    [Fact]
    public async Task The_client_does_not_compile_once_a_field_it_reads_is_gone()
    {
        var document = JsonNode.Parse(ApiDocument.MiniProgramJson)!;
        var pricing = document["components"]!["schemas"]!["PriceBreakdown"]!;
        Assert.True(pricing["properties"]!.AsObject().Remove("payableFen"));
        pricing["required"]!.AsArray().RemoveAll(r => r!.GetValue<string>() == "payableFen");
        var generated = await GenerateAsync(document.ToJsonString());
        File.Copy(Path.Combine(Client, "client.ts"), Path.Combine(scratch.FullName, "client.ts"));
        File.Copy(Path.Combine(Client, "tsconfig.json"), Path.Combine(scratch.FullName, "tsconfig.json"));
        Assert.Equal(Path.Combine(scratch.FullName, "mall-api.d.ts"), generated);

        var (exitCode, output) = await NodeAsync("node_modules/typescript/bin/tsc", "--noEmit", "-p", scratch.FullName);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("payableFen", output, StringComparison.Ordinal);
    }

    public void Dispose() => scratch.Delete(recursive: true);

    private async Task<string> GenerateAsync(string document)
    {
        var source = Path.Combine(scratch.FullName, "openapi.json");
        var types = Path.Combine(scratch.FullName, "mall-api.d.ts");
        await File.WriteAllTextAsync(source, document);
        var (exitCode, output) = await NodeAsync("node_modules/openapi-typescript/bin/cli.js", source, "--output", types);
        Assert.True(exitCode == 0, output);
        return types;
    }

    private static async Task<(int ExitCode, string Output)> NodeAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("node", [Path.Combine(RepositoryPaths.Root, script), .. arguments])
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
