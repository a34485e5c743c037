using Mall.Application.WeChat;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Pay;

namespace Mall.Infrastructure.WeChat;

/// <summary>Translates the protocol library's failures into the port's.</summary>
internal static class WeChatFailures
{
    public static WeChatException From(WeChatApiException exception) => new(
        exception.Failure switch
        {
            WeChatApiFailure.InvalidLoginCode => WeChatFailure.InvalidLoginCode,
            WeChatApiFailure.LoginBlocked => WeChatFailure.LoginBlocked,
            WeChatApiFailure.RefusedByUser => WeChatFailure.RefusedByUser,
            WeChatApiFailure.AlreadyDone => WeChatFailure.AlreadyDone,
            WeChatApiFailure.NotAllowedNow => WeChatFailure.NotAllowedNow,
            WeChatApiFailure.Rejected => WeChatFailure.Rejected,
            _ => WeChatFailure.Unavailable,
        },
        exception.Message,
        exception)
    {
        OutcomeUnknown = exception.OutcomeUnknown,
        ErrorCode = exception.ErrCode == 0 ? null : exception.ErrCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static WeChatException From(WeChatPayException exception) => new(
        exception.Failure switch
        {
            WeChatPayFailure.AlreadyPaid => WeChatFailure.AlreadyPaid,
            WeChatPayFailure.Unavailable => WeChatFailure.Unavailable,
            _ => WeChatFailure.Rejected,
        },
        exception.Message,
        exception)
    {
        ErrorCode = exception.Code,
    };
}
