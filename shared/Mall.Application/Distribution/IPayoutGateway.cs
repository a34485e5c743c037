namespace Mall.Application.Distribution;

/// <summary>Pays promoters (WeChat Pay merchant transfer 商家转账 in production).</summary>
public interface IPayoutGateway
{
    /// <summary>Transfers <paramref name="amountFen"/> to the user; asking again with the same <paramref name="transferId"/> never pays twice.</summary>
    Task TransferAsync(string transferId, string openId, long amountFen, string remark, CancellationToken cancellationToken);
}
