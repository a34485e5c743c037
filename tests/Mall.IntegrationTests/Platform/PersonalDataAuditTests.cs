using Mall.Application.Customers;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.IntegrationTests.Platform;

/// <summary>Operators' unmasked reads of personal data: each one audited before the data is returned, append-only.</summary>
public sealed class PersonalDataAuditTests
{
    [Fact]
    public async Task Every_read_of_a_recipient_is_an_entry_of_its_own_listed_newest_first_page_by_page()
    {
        await using var mall = await MallFixture.StartAsync();
        var (customer, orderId) = await PaidOrderAsync(mall);
        var orders = mall.Get<OrderService>();

        var reads = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => orders.RecipientForOperatorAsync(orderId, $"operator{i % 2}", i == 5 ? "面单打印" : null, CancellationToken.None)));
        var audit = mall.Get<PersonalDataAudit>();
        var first = await audit.ListAsync(null, 4, CancellationToken.None);
        var second = await audit.ListAsync(first.ContinuationToken, 4, CancellationToken.None);

        Assert.All(reads, read => Assert.Equal(("张三", "13812345678", "龙井路 1 号"), (read.Address.Recipient, read.Address.Phone, read.Address.Detail)));
        var entries = first.Items.Concat(second.Items).ToList();
        Assert.Equal((4, 2, null), (first.Items.Count, second.Items.Count, second.ContinuationToken));
        Assert.Equal(6, entries.Select(e => e.Id).Distinct().Count());
        Assert.All(entries, e => Assert.Equal(("order recipient", orderId, customer, "recipient,phone,address"), (e.What, e.SubjectId, e.CustomerId, string.Join(',', e.Fields))));
        Assert.Equal(3, entries.Count(e => e.OperatorId == "operator1"));
        Assert.Equal("面单打印", Assert.Single(entries, e => e.Reason is not null).Reason);
        Assert.Equal(entries.OrderByDescending(e => e.At).Select(e => e.At), entries.Select(e => e.At));
    }

    [Fact]
    public async Task An_erased_customers_address_is_read_only_to_ship_their_paid_order_and_a_refused_read_leaves_no_entry()
    {
        await using var mall = await MallFixture.StartAsync();
        var (customer, orderId) = await PaidOrderAsync(mall);
        var orders = mall.Get<OrderService>();
        await mall.Get<PersonalDataService>().EraseAsync(customer, CancellationToken.None);

        var toShip = await orders.RecipientForOperatorAsync(orderId, "admin", "发货", CancellationToken.None);
        await orders.ShipAsync(orderId, new ShipRequest("SF", "SF0000000042"), CancellationToken.None);
        var afterShipping = await Assert.ThrowsAsync<DomainException>(() => orders.RecipientForOperatorAsync(orderId, "admin", null, CancellationToken.None));
        var tooLong = await Assert.ThrowsAsync<DomainException>(() => orders.RecipientForOperatorAsync(orderId, "admin", new string('x', PersonalDataAudit.MaxReasonLength + 1), CancellationToken.None));

        Assert.Equal("张三", toShip.Address.Recipient);
        Assert.Equal(ErrorCode.CustomerErased, afterShipping.Code);
        Assert.Equal(ErrorCode.CustomerErased, tooLong.Code);
        Assert.Single((await mall.Get<PersonalDataAudit>().ListAsync(null, 10, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task A_reason_longer_than_allowed_is_refused_before_anything_is_read()
    {
        await using var mall = await MallFixture.StartAsync();
        var (_, orderId) = await PaidOrderAsync(mall);

        var refused = await Assert.ThrowsAsync<DomainException>(() => mall.Get<OrderService>().RecipientForOperatorAsync(orderId, "admin", new string('x', PersonalDataAudit.MaxReasonLength + 1), CancellationToken.None));

        Assert.Equal(ErrorCode.ValidationFailed, refused.Code);
        Assert.Empty((await mall.Get<PersonalDataAudit>().ListAsync(null, 10, CancellationToken.None)).Items);
    }

    private static async Task<(string Customer, string OrderId)> PaidOrderAsync(MallFixture mall)
    {
        var product = await mall.CreateProductAsync(5_000, null, 10);
        var customer = await mall.NewCustomerAsync();
        var orderId = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None)).Order.Id;
        await mall.PayAsync(customer, orderId);
        return (customer, orderId);
    }
}
