using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Mall.Application.Platform;
using Mall.Infrastructure.Messaging;

namespace Mall.EndToEndTests.Customers;

/// <summary>
/// A whole customer journey through a mall of its own (profile phone by getPhoneNumber code, checkout with an
/// address, payment, shipping, a refund, events, the export, the deletion), then a scan of everything it left:
/// every entity of every table (documents, outboxes, due work, the task hub; before the deletion too), every
/// message on every queue (the event bus the local host publishes to, the dispatch queue, the hub's), each
/// published event as the Service Bus message the relay would send in Azure, every blob, and every log entry of
/// the host at every level. The phone numbers, the recipient's name and the street line appear nowhere in clear.
/// </summary>
public sealed class PersonalDataScanTests : IAsyncLifetime
{
    private const string ProfilePhone = "13987650123";
    private const string ShippingPhone = "13566778899";
    private const string Recipient = "欧阳扫描者";
    private const string Street = "扫描路 42 号 7 幢 301";

    private static readonly string[] Secrets = [ProfilePhone, ShippingPhone, Recipient, Street];

    private readonly CapturedLogs logs = new();
    private readonly LocalMall mall;

    public PersonalDataScanTests()
    {
        mall = new LocalMall(logs);
    }

    public Task InitializeAsync() => mall.InitializeAsync();

    public Task DisposeAsync() => mall.DisposeAsync();

    [Fact]
    public async Task After_a_whole_journey_no_phone_number_or_address_is_stored_published_or_logged_in_clear()
    {
        var (productId, skuId) = await mall.CreateProductAsync(priceFen: 3_000, stock: 10);
        using var admin = await mall.AdminAsync();
        using var customer = await mall.NewCustomerAsync();
        var address = new { recipient = Recipient, phone = ShippingPhone, province = "浙江省", city = "杭州市", district = "西湖区", detail = Street };

        Expect(HttpStatusCode.OK, await customer.PutAsync("me/profile", new { nickname = "扫描", birthday = "1991-02-03", phoneCode = mall.Environment.Sandbox.IssuePhoneCode(customer.WeChatUser!, ProfilePhone) }));
        Expect(HttpStatusCode.OK, await mall.AcceptSubscribeMessagesAsync(customer, "TPL_SCAN"));
        Expect(HttpStatusCode.OK, await customer.PostAsync("events", new { events = new[] { new { id = "scan-1", type = "product_view", occurredAt = DateTimeOffset.UtcNow, productId } } }));
        Expect(HttpStatusCode.OK, await customer.PostAsync("cart/items", new { skuId, quantity = 2 }));
        Expect(HttpStatusCode.OK, await customer.PostAsync("orders/preview", new { fromCart = true, address }));
        var order = await customer.PostAsync("orders", new { fromCart = true, address, remark = "请放门口" }, idempotencyKey: Guid.NewGuid().ToString());
        Expect(HttpStatusCode.Created, order);
        var orderId = order.Body.GetProperty("id").GetString()!;
        Expect(HttpStatusCode.OK, await customer.PostAsync($"orders/{orderId}/pay", new { }));
        await mall.Environment.Sandbox.PayAsync(orderId);
        await LocalMall.WaitForOrderAsync(customer, orderId, o => o.GetProperty("status").GetString() == "paid");
        Expect(HttpStatusCode.OK, await admin.GetAsync($"manage/orders/{orderId}"));
        Expect(HttpStatusCode.OK, await admin.GetAsync($"manage/orders/{orderId}/recipient?reason=ship"));
        Expect(HttpStatusCode.OK, await admin.PostAsync($"manage/orders/{orderId}/ship", new { carrier = "SF", trackingNumber = "SF0000000099" }));
        var refund = await customer.PostAsync($"orders/{orderId}/refunds", new { reason = "买多了", items = new[] { new { skuId, quantity = 1 } } });
        Expect(HttpStatusCode.Created, refund);
        var refundId = refund.Body.GetProperty("refunds").EnumerateArray().Last().GetProperty("id").GetString()!;
        Expect(HttpStatusCode.OK, await admin.PostAsync($"manage/orders/{orderId}/refunds/{refundId}/approve", new { note = "ok" }));
        await LocalMall.WaitForOrderAsync(customer, orderId, o => o.GetProperty("refunds")[0].GetProperty("status").GetString() == "succeeded");
        Expect(HttpStatusCode.OK, await customer.GetAsync("me/export"));

        // What the deletion erases must not have been in clear either.
        var scanned = (await TablesAsync()).Select(s => (Where: "before the deletion: " + s.Where, s.Text)).ToList();
        Expect(HttpStatusCode.NoContent, await customer.DeleteAsync("me"));
        Expect(HttpStatusCode.OK, await customer.PostAsync("auth/login", new { code = customer.WeChatUser + "#100" }));
        await LocalMall.EventuallyAsync(() => mall.Environment.Sandbox.ShippingUploads.Any(u => u.Upload.OrderKey?.TransactionId is not null), "the shipping upload");

        // The event bus of the local host is a storage queue nobody reads: collect it until every event the journey
        // raised is published (the outbox relays them in no particular order, so the erasure may come first).
        var published = new List<string>();
        var bus = new QueueClient(Setting("Storage:ConnectionString"), Setting("Messaging:QueueName"));
        string[] journey = ["OrderPaid", "OrderShipped", "RefundSucceeded", "CustomerRegistered", "CustomerErased"];
        await EventuallyAsync(async () =>
        {
            published.AddRange(await ReceiveAllAsync(bus));
            return journey.All(type => published.Any(m => m.Contains($"\"type\":\"{type}\"", StringComparison.Ordinal)));
        });

        await mall.RestartHostAsync(async () =>
        {
            scanned.AddRange(await TablesAsync());
            scanned.AddRange(await QueuesAsync());
            scanned.AddRange(await BlobsAsync());
        });
        scanned.AddRange(published.Select(message => ("published event", message)));
        scanned.AddRange(published.Select(ServiceBusText).Select(message => ("Service Bus message", message)));
        scanned.AddRange(logs.Entries.Select(entry => ("log", entry)));

        // The scan saw the journey: encrypted documents, every kind of event, the host's logs.
        Assert.Contains(scanned, s => s.Where.Contains("Orders/", StringComparison.Ordinal) && s.Text.Contains(orderId, StringComparison.Ordinal) && s.Text.Contains("\"protectedAddress\":\"v1.", StringComparison.Ordinal));
        Assert.Contains(scanned, s => s.Where.Contains("Customers/", StringComparison.Ordinal) && s.Text.Contains("\"erasedAt\"", StringComparison.Ordinal));
        Assert.Single(published, m => m.Contains("\"type\":\"CustomerErased\"", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, entry => entry.Contains(orderId, StringComparison.Ordinal));
        var leaks = scanned
            .SelectMany(s => Secrets.Where(secret => Forms(secret).Any(form => s.Text.Contains(form, StringComparison.Ordinal))).Select(secret => $"{secret} in {s.Where}: {Around(s.Text, secret)}"))
            .ToList();
        Assert.True(leaks.Count == 0, $"Personal data in clear ({scanned.Count} texts scanned):\n" + string.Join('\n', leaks.Take(20)));
    }

    /// <summary>The message the relay would send to the Service Bus topic for a published envelope: body, subject and properties.</summary>
    private static string ServiceBusText(string published)
    {
        var message = ServiceBusEventBus.ToMessage(JsonSerializer.Deserialize<EventEnvelope>(published, MallJson.Options)!);
        return string.Join(" | ", [message.Subject, message.MessageId, message.Body.ToString(), .. message.ApplicationProperties.Select(p => $"{p.Key}={p.Value}")]);
    }

    private static void Expect(HttpStatusCode status, ApiResponse response) =>
        Assert.True(response.Status == status, $"{response.Status} instead of {status}: {response.Body}");

    /// <summary>The secret as it would appear written plainly, JSON-escaped or URL-encoded.</summary>
    private static IEnumerable<string> Forms(string secret)
    {
        yield return secret;
        yield return Uri.EscapeDataString(secret);
        yield return string.Concat(secret.Select(c => c < 128 ? c.ToString() : $"\\u{(int)c:X4}"));
        yield return string.Concat(secret.Select(c => c < 128 ? c.ToString() : $"\\u{(int)c:x4}"));
    }

    private static string Around(string text, string secret)
    {
        var at = Forms(secret).Select(form => text.IndexOf(form, StringComparison.Ordinal)).First(i => i >= 0);
        return text.Substring(Math.Max(0, at - 60), Math.Min(text.Length - Math.Max(0, at - 60), 160));
    }

    private string Setting(string key) => mall.Environment.Settings[key]!;

    private string Prefix => Setting("Storage:TablePrefix");

    /// <summary>Every property of every entity of the mall's tables and its task hub's (they all carry the run's prefix).</summary>
    private async Task<IEnumerable<(string Where, string Text)>> TablesAsync()
    {
        var service = new TableServiceClient(Setting("Storage:ConnectionString"));
        var found = new List<(string Where, string Text)>();
        await foreach (var table in service.QueryAsync())
        {
            if (!table.Name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            await foreach (var entity in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                var where = $"{table.Name}/{entity.PartitionKey}/{entity.RowKey}";
                found.Add((where, entity.PartitionKey + " " + entity.RowKey));
                found.AddRange(entity.Select(property => (where, property.Value switch
                {
                    byte[] bytes => Decoded(bytes),
                    BinaryData data => Decoded(data.ToArray()),
                    var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
                })));
            }
        }

        Assert.True(found.Count > 50, $"only {found.Count} values in the tables of {Prefix}");
        return found;
    }

    /// <summary>Every message left on the run's queues (dispatch, the task hub's control and work-item queues, poison queues).</summary>
    private async Task<IEnumerable<(string Where, string Text)>> QueuesAsync()
    {
        var service = new QueueServiceClient(Setting("Storage:ConnectionString"));
        var found = new List<(string Where, string Text)>();
        await foreach (var queue in service.GetQueuesAsync(prefix: Prefix.ToLowerInvariant()))
        {
            found.AddRange((await ReceiveAllAsync(service.GetQueueClient(queue.Name))).Select(message => ($"queue {queue.Name}", message)));
        }

        return found;
    }

    /// <summary>Every blob of the run's containers (the task hub's large messages and leases), unzipped when compressed.</summary>
    private async Task<IEnumerable<(string Where, string Text)>> BlobsAsync()
    {
        var service = new BlobServiceClient(Setting("Storage:ConnectionString"));
        var found = new List<(string Where, string Text)>();
        await foreach (var container in service.GetBlobContainersAsync(prefix: Prefix.ToLowerInvariant()))
        {
            var client = service.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync())
            {
                var content = await client.GetBlobClient(blob.Name).DownloadContentAsync();
                found.Add(($"blob {container.Name}/{blob.Name}", Decoded(content.Value.Content.ToArray())));
            }
        }

        return found;
    }

    /// <summary>Takes every visible message (hidden long enough not to come round again), as its text and, when base64, decoded.</summary>
    private static async Task<IEnumerable<string>> ReceiveAllAsync(QueueClient queue)
    {
        var texts = new List<string>();
        if (!await queue.ExistsAsync())
        {
            return texts;
        }

        QueueMessage[] batch;
        do
        {
            batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            foreach (var message in batch)
            {
                var text = message.Body.ToString();
                texts.Add(TryBase64(text) is { } bytes ? text + "\n" + Decoded(bytes) : text);
            }
        }
        while (batch.Length > 0);
        return texts;
    }

    private static byte[]? TryBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }

    /// <summary>Bytes as text: gzip unzipped first (the task hub compresses large payloads), then UTF-8.</summary>
    private static string Decoded(byte[] bytes)
    {
        if (bytes is [0x1f, 0x8b, ..])
        {
            using var unzipped = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var text = new StreamReader(unzipped, Encoding.UTF8);
            return text.ReadToEnd();
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The journey's events were not all published within 30 s.");
            await Task.Delay(200);
        }
    }
}
