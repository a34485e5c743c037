using System.Net;

namespace Mall.EndToEndTests.Platform;

[Collection(nameof(LocalMall))]
public sealed class ErrorContractTests(LocalMall mall)
{
    [Fact]
    public async Task Unknown_routes_are_a_404_problem_document()
    {
        using var client = mall.Anonymous();

        var response = await client.GetAsync("no/such/thing");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("NOT_FOUND", response.Body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Invalid_input_is_a_400_naming_the_field_and_changes_nothing()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 100, stock: 5);
        using var customer = await mall.NewCustomerAsync();

        var response = await customer.PostAsync("cart/items", new { skuId, quantity = 0 });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("VALIDATION_FAILED", response.Body.GetProperty("code").GetString());
        Assert.True(response.Body.GetProperty("errors").TryGetProperty("quantity", out _), response.Body.ToString());
        Assert.Empty((await customer.GetAsync("cart")).Body.GetProperty("lines").EnumerateArray());
    }

    [Fact]
    public async Task Malformed_json_is_a_400_not_a_stack_trace()
    {
        using var customer = await mall.NewCustomerAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "cart/items") { Content = new StringContent("{\"skuId\": ", System.Text.Encoding.UTF8, "application/json") };

        var response = await customer.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("MALFORMED_JSON", response.Body.GetProperty("code").GetString());
        Assert.DoesNotContain("   at ", response.Body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Customer_endpoints_need_a_session_and_admin_endpoints_need_an_operator()
    {
        using var anonymous = mall.Anonymous();
        using var customer = await mall.NewCustomerAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("me")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync("manage/orders")).Status);
    }
}
