using FluentValidation;
using Mall.Domain.Orders;

namespace Mall.Application.Payments;

/// <summary>
/// An operator's abnormal-refund instruction: where a refund WeChat reported ABNORMAL goes instead.
/// For the buyer's debit card, WeChat's bank type (e.g. ICBC_DEBIT), the card number and the
/// holder's name are required; they are sent to WeChat encrypted and never stored.
/// </summary>
public sealed record AbnormalRefundBody(AbnormalRefundDestination? Type, string? BankType, string? BankAccount, string? RealName)
{
    public override string ToString() => $"AbnormalRefundBody {{ Type = {Type}, BankType = {BankType}, BankAccount = ***, RealName = *** }}";
}

public sealed class AbnormalRefundBodyValidator : AbstractValidator<AbnormalRefundBody>
{
    public AbnormalRefundBodyValidator()
    {
        RuleFor(r => r.Type).NotNull().IsInEnum();
        When(r => r.Type == AbnormalRefundDestination.UserBankCard, () =>
        {
            RuleFor(r => r.BankType).NotEmpty().MaximumLength(16).Matches("^[A-Z0-9_]+$").WithMessage("WeChat's bank type, e.g. ICBC_DEBIT.");
            RuleFor(r => r.BankAccount).NotEmpty().Matches("^[0-9]{12,30}$").WithMessage("A debit card number of 12 to 30 digits.");
            RuleFor(r => r.RealName).NotEmpty().MaximumLength(50);
        });
        When(r => r.Type == AbnormalRefundDestination.MerchantBankCard, () =>
        {
            RuleFor(r => r.BankType).Null().WithMessage("Only for a refund to the buyer's card.");
            RuleFor(r => r.BankAccount).Null().WithMessage("Only for a refund to the buyer's card.");
            RuleFor(r => r.RealName).Null().WithMessage("Only for a refund to the buyer's card.");
        });
    }
}

/// <summary>A refund that is not settled for good, with what an operator can do about it.</summary>
/// <param name="PaidFen">What the order's payment (or late payment) was.</param>
/// <param name="Actions">approve/reject (requested), resubmit (refused, failed or retrying; for one at WeChat, a check now), applyAbnormalRefund (abnormal).</param>
public sealed record OpenRefundView(string OrderId, string CustomerId, OrderStatus OrderStatus, long PaidFen, Refund Refund, IReadOnlyList<string> Actions);

public sealed record OpenRefundPage(IReadOnlyList<OpenRefundView> Items, string? ContinuationToken);
