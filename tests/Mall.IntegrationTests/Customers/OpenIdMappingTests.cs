using Mall.Application.Customers;
using Mall.Application.Platform;
using Mall.Domain.Customers;
using Mall.Testing;

namespace Mall.IntegrationTests.Customers;

/// <summary>
/// The openid → customer mapping on Azurite: concurrent first logins agree on one customer, customers from
/// before the mapping keep their ids, and a login racing the account's erasure never signs in as the erased
/// customer once the erasure is through.
/// </summary>
public sealed class OpenIdMappingTests
{
    private int nextAddress;

    [Fact]
    public async Task Concurrent_first_logins_of_one_wechat_user_make_one_customer()
    {
        await using var mall = await MallFixture.StartAsync();
        var user = "first-" + Guid.NewGuid().ToString("N");

        var logins = await Task.WhenAll(Enumerable.Range(1, 16).Select(n => LoginAsync(mall, user, n)));

        var customerId = Assert.Single(logins.Select(l => l.CustomerId).Distinct());
        Assert.Single(logins, l => l.IsNew);
        Assert.Equal(Customer.IdFor(mall.Environment.Sandbox.OpenIdOf(user)), customerId);
    }

    [Fact]
    public async Task A_customer_registered_before_the_mapping_logs_in_as_themselves()
    {
        await using var mall = await MallFixture.StartAsync();
        var user = "legacy-" + Guid.NewGuid().ToString("N");
        var openId = mall.Environment.Sandbox.OpenIdOf(user);
        var (legacy, _) = Customer.Register(Customer.IdFor(openId), openId, null, "LEGACY2345", null, null, DateTimeOffset.UtcNow.AddYears(-1));
        await mall.Get<IDocumentCollection<Customer>>().InsertAsync(DocumentKey.Single(legacy.Id), legacy, [], CancellationToken.None);

        var logins = await Task.WhenAll(Enumerable.Range(1, 8).Select(n => LoginAsync(mall, user, n)));

        Assert.All(logins, login => Assert.Equal((legacy.Id, false), (login.CustomerId, login.IsNew)));
    }

    [Fact]
    public async Task After_the_erasure_the_same_wechat_user_is_one_new_customer_however_many_log_in_at_once()
    {
        await using var mall = await MallFixture.StartAsync();
        var user = "again-" + Guid.NewGuid().ToString("N");
        var erased = (await LoginAsync(mall, user, 1)).CustomerId;
        await mall.Get<PersonalDataService>().EraseAsync(erased, CancellationToken.None);

        var logins = await Task.WhenAll(Enumerable.Range(2, 12).Select(n => LoginAsync(mall, user, n)));
        var later = await LoginAsync(mall, user, 99);

        var newId = Assert.Single(logins.Select(l => l.CustomerId).Distinct());
        Assert.NotEqual(erased, newId);
        Assert.Single(logins, l => l.IsNew);
        Assert.Equal((newId, false), (later.CustomerId, later.IsNew));
        var customers = mall.Get<CustomerService>();
        Assert.Equal(mall.Environment.Sandbox.OpenIdOf(user), (await customers.GetAsync(newId, CancellationToken.None)).OpenId);
        Assert.True((await customers.GetAsync(erased, CancellationToken.None)).IsErased);
    }

    [Fact]
    public async Task A_login_racing_the_erasure_never_brings_the_erased_customer_back()
    {
        await using var mall = await MallFixture.StartAsync();
        var customers = mall.Get<CustomerService>();
        for (var round = 0; round < 4; round++)
        {
            var user = $"race{round}-" + Guid.NewGuid().ToString("N");
            var erased = (await LoginAsync(mall, user, 1)).CustomerId;

            var erasure = mall.Get<PersonalDataService>().EraseAsync(erased, CancellationToken.None);
            var racing = Enumerable.Range(2, 8).Select(n => LoginAsync(mall, user, n)).ToList();
            await Task.WhenAll(racing.Append(erasure));
            var after = await LoginAsync(mall, user, 99);

            // A racing login either came first (its token dies with the account) or made the one new customer.
            var newIds = racing.Select(l => l.Result.CustomerId).Where(id => id != erased).Distinct().ToList();
            Assert.True(newIds.Count <= 1, $"round {round}: several new customers {string.Join(", ", newIds)}");
            Assert.NotEqual(erased, after.CustomerId);
            Assert.All(newIds, id => Assert.Equal(after.CustomerId, id));
            var record = await customers.GetAsync(erased, CancellationToken.None);
            Assert.Equal((true, null, string.Empty), (record.IsErased, record.ProtectedSessionKey, record.OpenId));
        }
    }

    [Fact]
    public async Task A_login_overtaken_by_the_erasure_just_before_its_write_signs_in_a_new_customer()
    {
        var atWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var erasureDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var mall = await MallFixture.StartAsync(configureServices: services => services.Script<Customer>(customers =>
            customers.BeforeWrite = async (actor, _) =>
            {
                if (actor == "login" && atWrite.TrySetResult())
                {
                    await erasureDone.Task;
                }
            }));
        var user = "overtaken-" + Guid.NewGuid().ToString("N");
        var erased = (await LoginAsync(mall, user, 1)).CustomerId;

        // The returning login has read the customer and is about to record the login when the erasure runs.
        var login = ScriptedCollections.RunAs("login", () => LoginAsync(mall, user, 2));
        await atWrite.Task;
        await mall.Get<PersonalDataService>().EraseAsync(erased, CancellationToken.None);
        erasureDone.SetResult();
        var signedIn = await login;

        Assert.NotEqual(erased, signedIn.CustomerId);
        Assert.True(signedIn.IsNew);
        Assert.Null((await mall.Get<CustomerService>().GetAsync(erased, CancellationToken.None)).ProtectedSessionKey);
        Assert.Equal(signedIn.CustomerId, (await LoginAsync(mall, user, 3)).CustomerId);
    }

    [Fact]
    public async Task A_mapping_written_to_a_customer_erased_meanwhile_is_replaced_by_the_next_login()
    {
        var atWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var erasureDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var mall = await MallFixture.StartAsync(configureServices: services => services.Script<OpenIdEntry>(mappings =>
            mappings.BeforeWrite = async (actor, _) =>
            {
                if (actor == "login" && atWrite.TrySetResult())
                {
                    await erasureDone.Task;
                }
            }));
        var user = "remapped-" + Guid.NewGuid().ToString("N");
        var openId = mall.Environment.Sandbox.OpenIdOf(user);
        var (legacy, _) = Customer.Register(Customer.IdFor(openId), openId, null, "LEGACY6789", null, null, DateTimeOffset.UtcNow.AddYears(-1));
        await mall.Get<IDocumentCollection<Customer>>().InsertAsync(DocumentKey.Single(legacy.Id), legacy, [], CancellationToken.None);

        // The login of a customer from before the mapping is about to map the openid to them as they are erased.
        var login = ScriptedCollections.RunAs("login", () => LoginAsync(mall, user, 1));
        await atWrite.Task;
        await mall.Get<PersonalDataService>().EraseAsync(legacy.Id, CancellationToken.None);
        erasureDone.SetResult();
        var signedIn = await login;

        Assert.NotEqual(legacy.Id, signedIn.CustomerId);
        Assert.Equal((signedIn.CustomerId, false), ((await LoginAsync(mall, user, 2)).CustomerId, (await LoginAsync(mall, user, 3)).IsNew));
    }

    private Task<LoginResponse> LoginAsync(MallFixture mall, string user, int code) =>
        mall.Get<CustomerService>().LoginAsync(new LoginRequest($"{user}#{code}", null), MallFixture.ClientAddress(Interlocked.Increment(ref nextAddress)), CancellationToken.None);
}
