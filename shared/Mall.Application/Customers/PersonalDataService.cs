using Mall.Application.Cart;
using Mall.Application.Coupons;
using Mall.Application.Distribution;
using Mall.Application.Membership;
using Mall.Application.Notifications;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Customers;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Customers;

/// <summary>
/// The customer's rights over their personal data (PIPL): a copy of it (art. 45) and its deletion (art. 47).
/// Deletion anonymizes the customer and forgets everything that leads to the person (openid mapping, invite
/// code, message consents, session key) and their cart; orders, points, payments and commissions keep naming the customer id,
/// a pseudonym then, so every ledger still reconciles. Orders keep their encrypted shipping address: transaction
/// records must be kept at least three years after the transaction (E-commerce Law art. 31), and what the law
/// keeps is only stored, not processed (PIPL art. 47, para. 2).
/// </summary>
public sealed partial class PersonalDataService(
    CustomerService customers,
    IDocumentCollection<Customer> customerDocuments,
    ErasedCustomers erased,
    SubscriptionService subscriptions,
    CartService cart,
    OrderService orders,
    CouponService coupons,
    MembershipService membership,
    PointsLedger points,
    DistributionService distribution,
    IDueWorkScheduler scheduler,
    TimeProvider time,
    CustomerPseudonyms pseudonyms,
    ILogger<PersonalDataService> logger)
{
    public const int ExportedOrders = 50;
    public const int ExportedPointsLines = 200;

    /// <summary>If a request stops halfway, the due work finishes the erasure this long after.</summary>
    private static readonly TimeSpan BackstopDelay = TimeSpan.FromMinutes(1);

    public async Task<PersonalDataExport> ExportAsync(string customerId, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(customerId, cancellationToken);
        var orderPage = await orders.ListMineAsync(customerId, status: null, continuationToken: null, ExportedOrders, cancellationToken);
        var lines = await points.LinesAsync(customerId, ExportedPointsLines, cancellationToken);
        var notes = new List<string>();
        if (orderPage.ContinuationToken is not null)
        {
            notes.Add($"orders: the {ExportedOrders} newest; the rest with GET /api/orders?continuationToken= and the token in orders.continuationToken.");
        }

        if (lines.ContinuationToken is not null)
        {
            notes.Add($"points: the first {ExportedPointsLines} ledger lines; the balance counts them all.");
        }

        return new PersonalDataExport(
            time.GetUtcNow(),
            new ExportedProfile(customer.Id, customer.Nickname, customer.Birthday, customers.PhoneOf(customer), customer.InviteCode, customer.Referrers, customer.RegisteredAt, customer.LastLoginAt, customer.Segment?.Segment.ToString()),
            await membership.GetAsync(customerId, cancellationToken),
            new ExportedPoints(customer.PointsBalance, lines.Items, lines.ContinuationToken is not null),
            await coupons.MineAsync(customerId, cancellationToken),
            await subscriptions.MineAsync(customerId, cancellationToken),
            await cart.GetAsync(customerId, cancellationToken),
            await distribution.SummaryAsync(customerId, cancellationToken),
            orderPage,
            notes);
    }

    /// <summary>
    /// DELETE /api/me. Idempotent: a repeat (or the backstop) finds each step done and changes nothing. The erasure
    /// mark comes first, so the account's tokens stop working before anything else happens.
    /// </summary>
    public async Task EraseAsync(string customerId, CancellationToken cancellationToken)
    {
        await scheduler.ScheduleAsync(new DueWork(CustomerWork.Erasure, customerId, time.GetUtcNow() + BackstopDelay), cancellationToken);
        await CompleteErasureAsync(customerId, cancellationToken);
    }

    /// <summary>Due work: the backstop of an erasure whose request stopped halfway.</summary>
    public async Task<DueWorkResult> HandleErasureAsync(string customerId, CancellationToken cancellationToken)
    {
        await CompleteErasureAsync(customerId, cancellationToken);
        return DueWorkResult.Done;
    }

    private async Task CompleteErasureAsync(string customerId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await erased.MarkAsync(customerId, now, cancellationToken);
        var key = DocumentKey.Single(customerId);
        if ((await customerDocuments.FindAsync(key, cancellationToken))?.Value is not { } customer)
        {
            return;
        }

        // The openid is forgotten with the customer record, so its mapping goes first.
        if (!customer.IsErased)
        {
            await customers.ForgetOpenIdAsync(customer.OpenId, customerId, cancellationToken);
        }

        await customers.ForgetInviteCodeAsync(customer, cancellationToken);
        await subscriptions.ForgetAsync(customerId, cancellationToken);
        await cart.RemoveLinesAsync(customerId, (await cart.LinesAsync(customerId, cancellationToken)).Select(line => line.SkuId), cancellationToken);
        var erasedNow = await customerDocuments.TransitionAsync(
            key,
            current =>
            {
                var (anonymized, events) = current!.Value.Erase(now);
                return events.Count == 0 ? Decision.Keep<Customer, bool>(false) : Decision.Write(anonymized, true, events);
            },
            cancellationToken);
        if (erasedNow)
        {
            LogErased(logger, pseudonyms.Of(customerId));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Customer {Customer} erased their account; orders and ledgers keep the pseudonymous id")]
    private static partial void LogErased(ILogger logger, string customer);
}
