using System.Text.Json.Nodes;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Mall.LocalHost.Engine;
using Mall.Testing;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Mall.IntegrationTests.Platform;

/// <summary>
/// The API document (GET /api/openapi.json) against what the host registers and the codes the API has. The
/// end-to-end tests check every response they see against it as well (tests/Mall.EndToEndTests/ApiContract.cs).
/// </summary>
public sealed class ApiDocumentTests
{
    /// <summary>Codes no route answers: one retired (see its comment in ErrorCode), kept so it never means anything else, and the webhooks' own.</summary>
    private static readonly ErrorCode[] Retired =
    [
        ErrorCode.ReferencePriceNotTruthful,

        // The webhooks answer a bad signature or body with their WebhookRejection names (PaymentFunctions), never these.
        ErrorCode.InvalidSignature, ErrorCode.StaleTimestamp, ErrorCode.UnknownCertificateSerial, ErrorCode.DecryptionFailed, ErrorCode.MerchantMismatch,
    ];

    private static readonly JsonObject Document = JsonNode.Parse(ApiDocument.Json)!.AsObject();

    [Fact]
    public void The_document_is_valid_OpenAPI_3_1()
    {
        var read = OpenApiDocument.Parse(ApiDocument.Json, "json", new OpenApiReaderSettings());

        Assert.StartsWith("3.1.", Document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(read.Diagnostic!.Errors);
        Assert.NotEmpty(read.Document!.Paths);
    }

    /// <summary>functions.metadata is what the Functions host registers: every HTTP function in it is in the document, with its methods, and nothing else is.</summary>
    [Fact]
    public void Every_http_function_the_host_registers_is_in_the_document_with_its_methods()
    {
        var registered = FunctionMetadata.ReadFrom(RepositoryPaths.BuildOutput("functions/Mall.Functions"))
            .Where(f => f.Trigger.IsOfType("httpTrigger"))
            .SelectMany(f => f.Trigger.GetStrings("methods")!.Select(m => $"{m.ToLowerInvariant()} /{f.Trigger.Get("route")} {f.Name}"))
            .ToHashSet();
        var documented = Document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(o => o.Value is JsonObject { } operation && operation.ContainsKey("operationId"))
                .Select(o => $"{o.Key} {p.Key} {o.Value!["operationId"]}"))
            .ToHashSet();

        Assert.True(registered.Count > 100, $"Only {registered.Count} HTTP functions in functions.metadata.");
        Assert.Empty(registered.Except(documented));
        Assert.Empty(documented.Except(registered));
    }

    [Fact]
    public void Every_error_code_is_in_the_document_and_every_code_in_use_is_answered_by_some_route()
    {
        var listed = Document["components"]!["schemas"]!["ErrorCode"]!["enum"]!.AsArray().Select(c => c!.GetValue<string>()).ToHashSet();
        var answered = Operations().SelectMany(o => o["responses"]!.AsObject())
            .SelectMany(r => r.Value!["content"]?.AsObject().SelectMany(c => c.Value!["schema"]?["allOf"]?.AsArray().Select(p => p!["properties"]?["code"]?["enum"]).OfType<JsonArray>() ?? []) ?? [])
            .SelectMany(codes => codes.Select(c => c!.GetValue<string>()))
            .ToHashSet();

        Assert.Empty(Enum.GetValues<ErrorCode>().Select(c => c.ToWire()).Except(listed));
        Assert.Empty(Enum.GetValues<ErrorCode>().Except(Retired).Select(c => c.ToWire()).Except(answered));
    }

    /// <summary>Each problem status lists the codes of that status only (ProblemStatus is part of the contract).</summary>
    [Fact]
    public void A_route_lists_each_code_under_the_status_the_code_is_answered_with()
    {
        var byWire = Enum.GetValues<ErrorCode>().ToDictionary(c => c.ToWire());
        foreach (var operation in Operations().Where(o => o["x-caller"]!.GetValue<string>() != nameof(Caller.WeChatPay)))
        {
            foreach (var (status, response) in operation["responses"]!.AsObject())
            {
                var codes = response!["content"]?["application/problem+json"]?["schema"]?["allOf"]?[1]?["properties"]?["code"]?["enum"]?.AsArray() ?? [];
                Assert.All(codes, code => Assert.Equal(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), ProblemStatus.For(byWire[code!.GetValue<string>()])));
            }
        }
    }

    [Fact]
    public void Customer_and_operator_routes_name_their_bearer_scheme_and_operator_routes_are_under_manage()
    {
        foreach (var (path, item) in Document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var caller = operation!["x-caller"]!.GetValue<string>();
                var schemes = operation["security"]?.AsArray().SelectMany(r => r!.AsObject().Select(s => s.Key)).ToList() ?? [];
                var expected = caller switch
                {
                    nameof(Caller.Customer) or nameof(Caller.Visitor) => [ApiDocument.CustomerScheme],
                    nameof(Caller.Operator) => [ApiDocument.OperatorScheme],
                    nameof(Caller.WeChatPay) => [ApiDocument.WeChatPayScheme],
                    _ => Array.Empty<string>(),
                };
                Assert.True(expected.SequenceEqual(schemes), $"{method} {path} ({caller}) names {string.Join(", ", schemes)}");
                if (caller == nameof(Caller.Operator))
                {
                    Assert.StartsWith("/manage/", path, StringComparison.Ordinal);
                }
            }
        }
    }

    private static IEnumerable<JsonObject> Operations() =>
        Document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => o.Value!.AsObject()));
}
