using System.Net;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Sandbox;

namespace Mall.EndToEndTests.Customers;

/// <summary>
/// The customer's personal data through the running mall: the phone number by getPhoneNumber code (and WeChat
/// failing it), the export, the deletion of the account and what it leaves; operators' masked views and audited reads.
/// </summary>
[Collection(nameof(LocalMall))]
public sealed class PersonalDataJourneyTests(LocalMall mall)
{
    [Fact]
    public async Task The_phone_number_comes_from_a_getphonenumber_code_and_is_shown_masked()
    {
        using var customer = await mall.NewCustomerAsync();
        var code = mall.Environment.Sandbox.IssuePhoneCode(customer.WeChatUser!, "13912345678");

        var updated = await customer.PutAsync("me/profile", new { nickname = "小明", phoneCode = code });
        var reused = await customer.PutAsync("me/profile", new { nickname = "小红", phoneCode = code });
        var me = await customer.GetAsync("me");

        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(("139****5678", "小明"), (updated.Body.GetProperty("phone").GetString(), updated.Body.GetProperty("nickname").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_PHONE_CODE"), (reused.Status, reused.Body.GetProperty("code").GetString()));
        Assert.True(reused.Body.GetProperty("errors").TryGetProperty("phoneCode", out _));
        Assert.Equal(("139****5678", "小明"), (me.Body.GetProperty("phone").GetString(), me.Body.GetProperty("nickname").GetString()));
    }

    [Theory]
    [InlineData(WeChatErrorCodes.Busy, HttpStatusCode.ServiceUnavailable, "WE_CHAT_UNAVAILABLE")]
    [InlineData(WeChatErrorCodes.RateLimited, HttpStatusCode.ServiceUnavailable, "WE_CHAT_UNAVAILABLE")]
    [InlineData(WeChatErrorCodes.InvalidCode, HttpStatusCode.BadRequest, "INVALID_PHONE_CODE")]
    public async Task WeChat_failing_the_phone_number_is_a_clear_problem_and_changes_nothing(int errCode, HttpStatusCode status, string problem)
    {
        using var customer = await mall.NewCustomerAsync();
        var code = mall.Environment.Sandbox.IssuePhoneCode(customer.WeChatUser!, "13912345678");
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.GetPhoneNumber, SandboxFault.Error(errCode));

        var failed = await customer.PutAsync("me/profile", new { nickname = "不该保存", phoneCode = code });
        var me = await customer.GetAsync("me");
        var retried = await customer.PutAsync("me/profile", new { phoneCode = code });

        Assert.Equal((status, problem), (failed.Status, failed.Body.GetProperty("code").GetString()));
        Assert.False(me.Body.TryGetProperty("nickname", out _));
        Assert.False(me.Body.TryGetProperty("phone", out _));
        Assert.Equal("139****5678", retried.Body.GetProperty("phone").GetString());
    }

    [Fact]
    public async Task The_export_gives_the_customer_their_own_data_unmasked()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 3_000, stock: 5);
        using var customer = await mall.NewCustomerAsync();
        await customer.PutAsync("me/profile", new { birthday = "1990-05-01", phoneCode = mall.Environment.Sandbox.IssuePhoneCode(customer.WeChatUser!, "13912345678") });
        await mall.AcceptSubscribeMessagesAsync(customer, "TPL_EXPORT");
        var orderId = await mall.PaidOrderAsync(customer, skuId, 1);

        var export = await customer.GetAsync("me/export");

        Assert.Equal(HttpStatusCode.OK, export.Status);
        var profile = export.Body.GetProperty("profile");
        Assert.Equal(("13912345678", "1990-05-01"), (profile.GetProperty("phone").GetString(), profile.GetProperty("birthday").GetString()));
        var order = Assert.Single(export.Body.GetProperty("orders").GetProperty("items").EnumerateArray());
        Assert.Equal((orderId, "13800138000"), (order.GetProperty("id").GetString(), order.GetProperty("address").GetProperty("phone").GetString()));
        Assert.Equal("TPL_EXPORT", Assert.Single(export.Body.GetProperty("subscriptions").EnumerateArray()).GetProperty("templateId").GetString());
        Assert.Equal(profile.GetProperty("inviteCode").GetString(), export.Body.GetProperty("distribution").GetProperty("inviteCode").GetString());
        Assert.True(export.Body.GetProperty("membership").TryGetProperty("tier", out _));
        Assert.Equal(0, export.Body.GetProperty("cart").GetProperty("lines").GetArrayLength());
        Assert.Empty(export.Body.GetProperty("notes").EnumerateArray());
    }

    [Fact]
    public async Task Deleting_the_account_ends_its_sessions_makes_the_same_wechat_user_a_new_customer_and_keeps_the_books()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 3_000, stock: 5);
        using var admin = await mall.AdminAsync();
        using var customer = await mall.NewCustomerAsync();
        var before = (await customer.GetAsync("me")).Body.GetProperty("customerId").GetString()!;
        await customer.PutAsync("me/profile", new { phoneCode = mall.Environment.Sandbox.IssuePhoneCode(customer.WeChatUser!, "13912345678") });
        var orderId = await mall.PaidOrderAsync(customer, skuId, 1);

        var deleted = await customer.DeleteAsync("me");
        var again = await customer.DeleteAsync("me");
        var me = await customer.GetAsync("me");
        var orders = await customer.GetAsync("orders");
        var checkout = await customer.PostAsync("orders/preview", new { items = new[] { new { skuId, quantity = 1 } } });
        var export = await customer.GetAsync("me/export");
        var login = await customer.PostAsync("auth/login", new { code = customer.WeChatUser + "#100" });

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent), (deleted.Status, again.Status));
        Assert.All(new[] { me, orders, checkout, export }, refused => Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHORIZED"), (refused.Status, refused.Body.GetProperty("code").GetString())));
        Assert.Equal(HttpStatusCode.OK, login.Status);
        Assert.True(login.Body.GetProperty("isNew").GetBoolean());
        Assert.NotEqual(before, login.Body.GetProperty("customerId").GetString());
        using var reborn = mall.Anonymous();
        reborn.Authorize(login.Body.GetProperty("token").GetString()!);
        var fresh = await reborn.GetAsync("me");
        Assert.False(fresh.Body.TryGetProperty("phone", out _));
        Assert.Empty((await reborn.GetAsync("orders")).Body.GetProperty("items").EnumerateArray());

        // The order stays for the books: operators see it masked, read its recipient once (audited) to ship it.
        var view = (await admin.GetAsync($"manage/orders/{orderId}")).Body;
        Assert.Equal((before, "张*", "138****8000", "龙井*****"), (view.GetProperty("customerId").GetString(), view.GetProperty("address").GetProperty("recipient").GetString(), view.GetProperty("address").GetProperty("phone").GetString(), view.GetProperty("address").GetProperty("detail").GetString()));
        var recipient = await admin.GetAsync($"manage/orders/{orderId}/recipient?reason=%E5%8F%91%E8%B4%A7");
        Assert.Equal(("张三", "13800138000", "龙井路 1 号"), (recipient.Body.GetProperty("address").GetProperty("recipient").GetString(), recipient.Body.GetProperty("address").GetProperty("phone").GetString(), recipient.Body.GetProperty("address").GetProperty("detail").GetString()));
        var trail = await admin.GetAsync("manage/audit/personal-data?pageSize=5");
        var entry = trail.Body.GetProperty("items").EnumerateArray().First(e => e.GetProperty("subjectId").GetString() == orderId);
        Assert.Equal(("admin", before, "发货"), (entry.GetProperty("operatorId").GetString(), entry.GetProperty("customerId").GetString(), entry.GetProperty("reason").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"manage/orders/{orderId}/ship", new { carrier = "SF", trackingNumber = "SF0000000077" })).Status);
        var afterShipping = await admin.GetAsync($"manage/orders/{orderId}/recipient");
        Assert.Equal((HttpStatusCode.Conflict, "CUSTOMER_ERASED"), (afterShipping.Status, afterShipping.Body.GetProperty("code").GetString()));
        var reconciliation = (await admin.GetAsync("manage/distribution/reconciliation")).Body;
        Assert.True(reconciliation.GetProperty("balanced").GetBoolean(), reconciliation.ToString());
        Assert.Equal(3_000 + 1_000, mall.Environment.Sandbox.FindTransaction(orderId)!.Resource.Amount!.Total);
    }

    [Fact]
    public async Task The_audit_trail_is_for_operators_only_and_pages_with_continuation_tokens()
    {
        using var customer = await mall.NewCustomerAsync();
        using var admin = await mall.AdminAsync();
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 3_000, stock: 5);
        var orderId = await mall.PaidOrderAsync(customer, skuId, 1);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"manage/orders/{orderId}/recipient")).Status);
        }

        var first = await admin.GetAsync("manage/audit/personal-data?pageSize=2");
        var next = await admin.GetAsync("manage/audit/personal-data?pageSize=2&continuationToken=" + Uri.EscapeDataString(first.Body.GetProperty("continuationToken").GetString()!));
        var byCustomer = await customer.GetAsync("manage/audit/personal-data");
        var recipientByCustomer = await customer.GetAsync($"manage/orders/{orderId}/recipient");

        Assert.Equal(2, first.Body.GetProperty("items").GetArrayLength());
        Assert.True(next.Body.GetProperty("items").GetArrayLength() >= 1);
        Assert.DoesNotContain(next.Body.GetProperty("items").EnumerateArray(), e => first.Body.GetProperty("items").EnumerateArray().Any(f => f.GetProperty("id").GetString() == e.GetProperty("id").GetString()));
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (byCustomer.Status, recipientByCustomer.Status));
    }
}
