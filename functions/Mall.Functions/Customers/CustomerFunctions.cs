using Mall.Application.Customers;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Customers;

public sealed class CustomerFunctions(Api api, CustomerService customers, PersonalDataService personalData)
{
    [CalledBy(Caller.Anyone)]
    [Accepts(typeof(LoginRequest))]
    [Answers(200, typeof(LoginResponse))]
    [Refuses(ErrorCode.InvalidLoginCode, ErrorCode.LoginBlocked, ErrorCode.TooManyRequests, ErrorCode.WeChatRejected, ErrorCode.WeChatUnavailable)]
    [Function("Customers_Login")]
    public Task<IActionResult> Login([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/login")] HttpRequest request) =>
        api.RunAsync(request, async () =>
            ApiResults.Ok(await customers.LoginAsync(await api.BodyAsync<LoginRequest>(request), Api.ClientAddress(request), request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(MeResponse))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Customers_Me")]
    public Task<IActionResult> Me([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Ok(await customers.GetMeAsync(customerId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Customer)]
    [Accepts(typeof(UpdateProfileRequest))]
    [Answers(200, typeof(MeResponse))]
    [Refuses(ErrorCode.InvalidPhoneCode, ErrorCode.NotFound, ErrorCode.WeChatRejected, ErrorCode.WeChatUnavailable)]
    [Function("Customers_UpdateProfile")]
    public Task<IActionResult> UpdateProfile([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "me/profile")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Ok(await customers.UpdateProfileAsync(customerId, await api.BodyAsync<UpdateProfileRequest>(request), request.HttpContext.RequestAborted)));

    /// <summary>The customer's own data, unmasked to them (PIPL right of access): profile, orders, coupons, points, membership, consents, distribution.</summary>
    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(PersonalDataExport))]
    [Function("Customers_Export")]
    public Task<IActionResult> Export([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/export")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Ok(await personalData.ExportAsync(customerId, request.HttpContext.RequestAborted)));

    /// <summary>Erases the account (PIPL right to deletion); orders and ledgers stay. 204, and 204 again when repeated.</summary>
    [CalledBy(Caller.Customer)]
    [Answers(204)]
    [Function("Customers_Erase")]
    public Task<IActionResult> Erase([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "me")] HttpRequest request) =>
        api.ForErasingCustomerAsync(request, async customerId =>
        {
            await personalData.EraseAsync(customerId, request.HttpContext.RequestAborted);
            return ApiResults.NoContent();
        });
}
