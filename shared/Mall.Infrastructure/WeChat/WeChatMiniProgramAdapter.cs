using Mall.Application.WeChat;
using Mall.Domain.Orders;
using Mall.WeChat;
using Mall.WeChat.MiniProgram;

namespace Mall.Infrastructure.WeChat;

public sealed class WeChatMiniProgramAdapter : IWeChatMiniProgram
{
    private readonly MiniProgramClient client;

    public WeChatMiniProgramAdapter(MiniProgramClient client)
    {
        this.client = client;
    }

    public async Task UploadShippingInfoAsync(ShippingInfoUpload upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);

        // The mall ships an order as one express parcel, identified by WeChat's transaction id.
        var request = new UploadShippingInfoRequest
        {
            OrderKey = new ShippingOrderKey { OrderNumberType = ShippingOrderNumberTypes.ByTransactionId, TransactionId = upload.TransactionId },
            LogisticsType = LogisticsTypes.Express,
            DeliveryMode = DeliveryModes.Unified,
            ShippingList =
            [
                new ShippingItem
                {
                    TrackingNo = upload.TrackingNumber,
                    ExpressCompany = upload.ExpressCompany,
                    ItemDesc = upload.ItemDescription,
                    Contact = upload.ReceiverContactMasked is null ? null : new ShippingContact { ReceiverContact = upload.ReceiverContactMasked },
                },
            ],
            UploadTime = upload.UploadTime,
            Payer = new Payer { OpenId = upload.PayerOpenId },
        };
        await Call(client.UploadShippingInfoAsync(request, cancellationToken));
    }

    public async Task<WeChatShippingState?> GetShippingStateAsync(string transactionId, CancellationToken cancellationToken)
    {
        var order = await Call(client.GetShippingOrderAsync(transactionId, cancellationToken));
        return order?.OrderState switch
        {
            null => null,
            ShippingOrderStates.AwaitingShipment => WeChatShippingState.AwaitingShipment,
            ShippingOrderStates.Shipped => WeChatShippingState.Shipped,
            ShippingOrderStates.ReceiptConfirmed => WeChatShippingState.ReceiptConfirmed,
            ShippingOrderStates.Completed => WeChatShippingState.Completed,
            ShippingOrderStates.Refunded => WeChatShippingState.Refunded,
            var unknown => throw new WeChatException(WeChatFailure.Unavailable, $"WeChat get_order answered order_state {unknown}, which this version does not know."),
        };
    }

    public async Task<WeChatPhoneNumber> GetPhoneNumberAsync(string code, CancellationToken cancellationToken)
    {
        var phone = await Call(client.GetPhoneNumberAsync(code, cancellationToken));
        return new WeChatPhoneNumber(phone.PhoneNumber!, phone.CountryCode);
    }

    public string? FindTemplateDataViolation(SubscribeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SubscribeMessageRules.FindViolation(message.Data)?.ToString();
    }

    public async Task SendSubscribeMessageAsync(SubscribeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = new SubscribeMessageRequest
        {
            ToUser = message.ToOpenId,
            TemplateId = message.TemplateId,
            Page = message.Page,
            Data = message.Data.ToDictionary(field => field.Key, field => new SubscribeMessageValue { Value = field.Value }),
        };
        await Call(client.SendSubscribeMessageAsync(request, cancellationToken));
    }

    private static async Task<T> Call<T>(Task<T> call)
    {
        try
        {
            return await call;
        }
        catch (WeChatApiException exception)
        {
            throw WeChatFailures.From(exception);
        }
    }
}
