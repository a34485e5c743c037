using Mall.Application.Cart;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Cart;

[CalledBy(Caller.Customer)]
public sealed class CartFunctions(Api api, CartService cart)
{
    [Answers(200, typeof(CartView))]
    [Function("Cart_Get")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "cart")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await cart.GetAsync(customerId, request.HttpContext.RequestAborted)));

    [Accepts(typeof(CartItemRequest))]
    [Answers(200, typeof(CartView))]
    [Refuses(ErrorCode.CartFull, ErrorCode.OutOfStock, ErrorCode.PurchaseLimitExceeded)]
    [Function("Cart_AddItem")]
    public Task<IActionResult> AddItem([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cart/items")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Ok(await cart.AddAsync(customerId, await api.BodyAsync<CartItemRequest>(request), request.HttpContext.RequestAborted)));

    [Accepts(typeof(CartQuantityRequest))]
    [Answers(200, typeof(CartView))]
    [Refuses(ErrorCode.NotFound, ErrorCode.OutOfStock, ErrorCode.PurchaseLimitExceeded)]
    [Function("Cart_SetQuantity")]
    public Task<IActionResult> SetQuantity([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "cart/items/{skuId}")] HttpRequest request, string skuId) =>
        api.ForCustomerAsync(request, async customerId =>
        {
            var body = await api.BodyAsync<CartQuantityRequest>(request);
            return ApiResults.Ok(await cart.SetQuantityAsync(customerId, skuId, body.Quantity!.Value, request.HttpContext.RequestAborted));
        });

    [Answers(200, typeof(CartView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Cart_RemoveItem")]
    public Task<IActionResult> RemoveItem([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "cart/items/{skuId}")] HttpRequest request, string skuId) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await cart.RemoveAsync(customerId, skuId, request.HttpContext.RequestAborted)));
}
