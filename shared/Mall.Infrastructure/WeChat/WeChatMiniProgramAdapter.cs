using Mall.Application.WeChat;
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

    private static async Task Call(Task call)
    {
        try
        {
            await call;
        }
        catch (WeChatApiException exception)
        {
            throw WeChatFailures.From(exception);
        }
    }
}
