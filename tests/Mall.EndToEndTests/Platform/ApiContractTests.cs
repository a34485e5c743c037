using System.Net;
using System.Text.Json.Nodes;

namespace Mall.EndToEndTests.Platform;

/// <summary>
/// The API document as served, and the check every end-to-end response goes through (<see cref="ContractCheckingHandler"/>):
/// a document gone stale — a field the API writes but the document lacks, one it requires but the API no longer
/// writes, a problem code it does not list — fails the request that meets it.
/// </summary>
[Collection(nameof(LocalMall))]
public sealed class ApiContractTests(LocalMall mall)
{
    [Fact]
    public async Task The_document_and_its_docs_page_are_served_without_a_token()
    {
        using var client = mall.Anonymous();

        var document = await client.GetAsync("openapi.json");
        var page = await client.Http.GetAsync("docs");
        var html = await page.Content.ReadAsStringAsync();
        var script = await client.Http.GetAsync(System.Text.RegularExpressions.Regex.Match(html, "/api/(docs/swagger-ui-js[^\"]*)").Groups[1].Value.Replace("&amp;", "&", StringComparison.Ordinal));

        Assert.Equal((HttpStatusCode.OK, "application/json"), (document.Status, document.ContentType));
        Assert.StartsWith("3.1.", document.Body.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.True(document.Body.GetProperty("paths").TryGetProperty("/orders/{orderId}", out _));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-spec=\"/api/openapi.json\"", html, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "text/javascript"), (script.StatusCode, script.Content.Headers.ContentType?.MediaType));
    }

    [Fact]
    public async Task A_field_the_document_lacks_or_a_required_field_the_api_no_longer_writes_fails_the_request()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 100, stock: 5);
        using var customer = await mall.NewCustomerAsync();
        var orderId = await LocalMall.PlaceAndPrepayAsync(customer, skuId, 1);
        var order = await customer.GetAsync($"orders/{orderId}");

        var lacking = await PlantedAsync(document => document["components"]!["schemas"]!["OrderView"]!["properties"]!.AsObject().Remove("expiresAt"));
        var requiring = await PlantedAsync(document => {
            document["components"]!["schemas"]!["OrderView"]!["required"]!.AsArray().Add("stockReturned");
            return true;
        });

        Assert.Null((await mall.ContractAsync()).Violation("GET", $"orders/{orderId}", 200, order.ContentType, order.Body.GetRawText()));
        Assert.Contains("$.expiresAt is not in the document", lacking.Violation("GET", $"orders/{orderId}", 200, order.ContentType, order.Body.GetRawText()), StringComparison.Ordinal);
        Assert.Contains("$.stockReturned is required and missing", requiring.Violation("GET", $"orders/{orderId}", 200, order.ContentType, order.Body.GetRawText()), StringComparison.Ordinal);
        using var checkedAgainstLacking = Client(lacking, customer);
        await Assert.ThrowsAsync<ContractViolationException>(() => checkedAgainstLacking.GetAsync($"api/orders/{orderId}"));
    }

    [Fact]
    public async Task A_problem_code_or_a_status_the_route_does_not_declare_fails_the_request()
    {
        using var customer = await mall.NewCustomerAsync();
        var missing = await customer.GetAsync("orders/no-such-order");
        var withoutNotFound = await PlantedAsync(document =>
            document["paths"]!["/orders/{orderId}"]!["get"]!["responses"]!["404"]!["content"]!["application/problem+json"]!["schema"]!["allOf"]![1]!["properties"]!["code"]!["enum"]!.AsArray().RemoveAll(c => c!.GetValue<string>() == "NOT_FOUND") == 1);
        var without404 = await PlantedAsync(document => document["paths"]!["/orders/{orderId}"]!["get"]!["responses"]!.AsObject().Remove("404"));

        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Contains("$.code is \"NOT_FOUND\", not one of []", withoutNotFound.Violation("GET", "orders/no-such-order", 404, missing.ContentType, missing.Body.GetRawText()), StringComparison.Ordinal);
        Assert.Contains("answered 404, a status the document does not declare for it", without404.Violation("GET", "orders/no-such-order", 404, missing.ContentType, missing.Body.GetRawText()), StringComparison.Ordinal);
        using var checkedAgainstStale = Client(withoutNotFound, customer);
        await Assert.ThrowsAsync<ContractViolationException>(() => checkedAgainstStale.GetAsync("api/orders/no-such-order"));
    }

    /// <summary>The served document with one change made to a copy of it; <paramref name="plant"/> says whether it changed anything.</summary>
    private async Task<ApiContract> PlantedAsync(Func<JsonObject, bool> plant)
    {
        var copy = (JsonObject)(await mall.ContractAsync()).Document.DeepClone();
        Assert.True(plant(copy));
        return new ApiContract(copy);
    }

    private HttpClient Client(ApiContract contract, ApiClient signedIn)
    {
        var http = new HttpClient(new ContractCheckingHandler(() => Task.FromResult(contract))) { BaseAddress = mall.Host.BaseAddress };
        http.DefaultRequestHeaders.Authorization = signedIn.Http.DefaultRequestHeaders.Authorization;
        return http;
    }
}
