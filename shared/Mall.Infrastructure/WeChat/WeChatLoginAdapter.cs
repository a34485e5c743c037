using Mall.Application.WeChat;
using Mall.WeChat.MiniProgram;

namespace Mall.Infrastructure.WeChat;

public sealed class WeChatLoginAdapter : IWeChatLogin
{
    private readonly MiniProgramClient client;

    public WeChatLoginAdapter(MiniProgramClient client)
    {
        this.client = client;
    }

    public async Task<WeChatSession> ExchangeCodeAsync(string code, CancellationToken cancellationToken)
    {
        try
        {
            var session = await client.Code2SessionAsync(code, cancellationToken);
            return new WeChatSession(session.OpenId!, string.IsNullOrEmpty(session.UnionId) ? null : session.UnionId, session.SessionKey!);
        }
        catch (WeChatApiException exception)
        {
            throw WeChatFailures.From(exception);
        }
    }
}
