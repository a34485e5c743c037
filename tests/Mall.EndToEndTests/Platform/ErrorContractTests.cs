using System.Net;

namespace Mall.EndToEndTests.Platform;

[Collection(nameof(LocalMall))]
public sealed class ErrorContractTests(LocalMall mall)
{
    /// <summary>
    /// No function has the route, so the host answers, as Azure's does: an empty 404. (A catch-all
    /// function would take every route of the functions named after it in Azure, whose router takes the
    /// first match in function-name order.)
    /// </summary>
    [Fact]
    public async Task An_unknown_route_is_the_hosts_own_empty_404()
    {
        using var client = mall.Anonymous();

        var response = await client.GetAsync("no/such/thing");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Null(response.ContentType);
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

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=gbk")]
    public async Task A_json_body_sent_as_another_media_type_is_a_415_and_changes_nothing(string contentType)
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 100, stock: 5);
        using var customer = await mall.NewCustomerAsync();
        var content = new StringContent($"{{\"skuId\":\"{skuId}\",\"quantity\":1}}");
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        var response = await customer.SendAsync(new HttpRequestMessage(HttpMethod.Post, "cart/items") { Content = content });

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.Status);
        Assert.Equal("UNSUPPORTED_MEDIA_TYPE", response.Body.GetProperty("code").GetString());
        Assert.Empty((await customer.GetAsync("cart")).Body.GetProperty("lines").EnumerateArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_oversized_body_is_a_413_whether_or_not_it_announces_its_length(bool announcesLength)
    {
        using var customer = await mall.NewCustomerAsync();
        var json = System.Text.Encoding.UTF8.GetBytes($"{{\"nickname\":\"{new string('x', 300 * 1024)}\"}}");
        HttpContent content = announcesLength ? new ByteArrayContent(json) : new StreamContent(new UnknownLengthStream(json));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await customer.SendAsync(new HttpRequestMessage(HttpMethod.Put, "me/profile") { Content = content });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal("PAYLOAD_TOO_LARGE", response.Body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_oversized_webhook_is_a_413()
    {
        using var anonymous = mall.Anonymous();
        var content = new ByteArrayContent(new byte[300 * 1024]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, "payments/wechat/notify") { Content = content });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
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

/// <summary>A body sent chunked: the stream cannot say how long it is, so no Content-Length goes out.</summary>
internal sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
{
    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();
}
