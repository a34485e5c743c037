using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Pay;
using Microsoft.AspNetCore.Http.Features;

namespace Mall.WeChat.Sandbox;

/// <summary>The HTTP surface: WeChat's own paths (mini-program and Pay v3) and the developer endpoints under /sandbox.</summary>
internal static partial class SandboxEndpoints
{
    private const string BodyItem = "Mall.WeChatSandbox.Body";

    private static readonly JsonSerializerOptions SandboxJson = new(JsonSerializerOptions.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static void Map(IEndpointRouteBuilder app, SandboxRuntime runtime, ILogger logger)
    {
        MapMiniProgram(app, runtime.MiniProgram);
        MapPay(app, runtime, logger);
        MapDeveloper(app, runtime);
    }

    private static void MapMiniProgram(IEndpointRouteBuilder app, MiniProgramSandbox miniProgram)
    {
        app.MapGet("/sns/jscode2session", (HttpRequest request) => WeChatAnswer(miniProgram.Code2Session(
            request.Query["appid"], request.Query["secret"], request.Query["js_code"], request.Query["grant_type"])));

        app.MapPost("/cgi-bin/stable_token", async (HttpRequest request) =>
        {
            StableTokenRequest body;
            try
            {
                body = WeChatJson.Deserialize<StableTokenRequest>(await ReadBodyAsync(request));
            }
            catch (JsonException)
            {
                return WeChatAnswer(new WeChatApiResult { ErrCode = 47001, ErrMsg = "data format error" });
            }

            return WeChatAnswer(miniProgram.StableToken(body.GrantType, body.AppId, body.Secret, body.ForceRefresh));
        });

        app.MapGet("/cgi-bin/token", (HttpRequest request) => WeChatAnswer(miniProgram.ClassicToken(
            request.Query["grant_type"], request.Query["appid"], request.Query["secret"])));

        app.MapPost("/cgi-bin/message/subscribe/send", async (HttpRequest request) =>
            WeChatAnswer(miniProgram.SendSubscribeMessage(request.Query["access_token"], await ReadBodyAsync(request))));

        app.MapPost("/wxa/sec/order/upload_shipping_info", async (HttpRequest request) =>
            WeChatAnswer(miniProgram.UploadShippingInfo(request.Query["access_token"], await ReadBodyAsync(request))));

        app.MapPost("/wxa/business/getuserphonenumber", async (HttpRequest request) =>
            WeChatAnswer(miniProgram.GetPhoneNumber(request.Query["access_token"], await ReadBodyAsync(request))));

        app.MapPost("/wxa/sec/order/get_order", async (HttpRequest request) =>
            WeChatAnswer(miniProgram.GetShippingOrder(request.Query["access_token"], await ReadBodyAsync(request))));
    }

    private static void MapPay(IEndpointRouteBuilder app, SandboxRuntime runtime, ILogger logger)
    {
        var pay = runtime.Pay;
        var v3 = app.MapGroup("/v3").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var body = await ReadBodyAsync(http.Request);
            http.Items[BodyItem] = body;
            var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? http.Request.Path + http.Request.QueryString;
            var failure = CheckMerchantSignature(runtime, http.Request.Method, target, http.Request.Headers.Authorization, body);
            if (failure is null)
            {
                return await next(context);
            }

            logger.LogWarning("Rejected {Method} {Target}: {Failure}", http.Request.Method, target, failure);
            return new SignedAnswer(V3Answer.Error(StatusCodes.Status401Unauthorized, WeChatPayErrorCodes.SignError, failure), runtime);
        });

        v3.MapPost("/pay/transactions/jsapi", (HttpContext http) => new SignedAnswer(pay.Prepay(Body(http)), runtime));
        v3.MapGet("/pay/transactions/out-trade-no/{outTradeNo}", (string outTradeNo, string? mchid) => new SignedAnswer(pay.Query(outTradeNo, mchid), runtime));
        v3.MapPost("/pay/transactions/out-trade-no/{outTradeNo}/close", (HttpContext http, string outTradeNo) => new SignedAnswer(pay.Close(outTradeNo, Body(http)), runtime));
        v3.MapPost("/refund/domestic/refunds", (HttpContext http) => new SignedAnswer(pay.CreateRefund(Body(http)), runtime));
        v3.MapGet("/refund/domestic/refunds/{outRefundNo}", (string outRefundNo) => new SignedAnswer(pay.QueryRefund(outRefundNo), runtime));
        v3.MapPost("/refund/domestic/refunds/{refundId}/apply-abnormal-refund", (HttpContext http, string refundId) =>
            new SignedAnswer(pay.ApplyAbnormalRefund(refundId, Body(http), http.Request.Headers[WeChatPayHeaders.Serial].FirstOrDefault()), runtime));

        // Any other v3 path (say GET /v3/pay/transactions/id/{id} or /v3/certificates, which the sandbox does not
        // serve) gets WeChat Pay's own error shape, signed like every answer: a client must not see a bare 404.
        v3.MapFallback("{**path}", (HttpContext http) => new SignedAnswer(
            V3Answer.Error(StatusCodes.Status404NotFound, WeChatPayErrorCodes.NotFound, $"{http.Request.Method} {http.Request.Path} 不存在（沙箱未实现该接口）"),
            runtime));
    }

    private static void MapDeveloper(IEndpointRouteBuilder app, SandboxRuntime runtime)
    {
        var sandbox = app.MapGroup("/sandbox");
        sandbox.MapPost("/transactions/{outTradeNo}/pay", async (HttpRequest request, string outTradeNo) =>
        {
            var text = await ReadBodyAsync(request);
            SandboxPayOptions options;
            try
            {
                options = text.Length == 0 ? new SandboxPayOptions() : JsonSerializer.Deserialize<SandboxPayOptions>(text, JsonSerializerOptions.Web) ?? new SandboxPayOptions();
            }
            catch (JsonException exception)
            {
                return Results.Json(new { code = "PARAM_ERROR", message = exception.Message }, statusCode: StatusCodes.Status400BadRequest);
            }

            var outcome = runtime.Pay.Pay(outTradeNo, options);
            return outcome.Transaction is { } paid
                ? Results.Json(paid)
                : Results.Json(new { code = outcome.Status == StatusCodes.Status404NotFound ? "NOT_FOUND" : "NOT_PAYABLE", message = outcome.Error }, statusCode: outcome.Status);
        });
        sandbox.MapGet("/transactions", () => Results.Json(runtime.Pay.Transactions));
        sandbox.MapGet("/refunds", () => Results.Json(runtime.Pay.Refunds));
        // Make WeChat refuse the order's next refund requests ({"code":"NOT_ENOUGH","times":1}), or end them ABNORMAL.
        sandbox.MapPost("/transactions/{outTradeNo}/refuse-refunds", async (HttpRequest request, string outTradeNo) =>
        {
            var refusal = await ReadOptionsAsync<RefundRefusalRequest>(request);
            var preset = new[] { SandboxRefundRefusal.NotEnough, SandboxRefundRefusal.SignError, SandboxRefundRefusal.SystemError, SandboxRefundRefusal.NoAuth }
                .FirstOrDefault(known => known.Code == (refusal?.Code ?? WeChatPayErrorCodes.NotEnough));
            if (preset is null)
            {
                return Results.Json(new { code = "PARAM_ERROR", message = "code is one of NOT_ENOUGH, SIGN_ERROR, SYSTEM_ERROR, NO_AUTH." }, statusCode: StatusCodes.Status400BadRequest);
            }

            runtime.Pay.RefuseRefunds(outTradeNo, preset, refusal?.Times ?? 1);
            return Results.NoContent();
        });
        sandbox.MapPost("/transactions/{outTradeNo}/abnormal-refunds", (string outTradeNo) =>
        {
            runtime.Pay.MakeRefundsAbnormal(outTradeNo);
            return Results.NoContent();
        });
        sandbox.MapGet("/subscribe-messages", () => Results.Json(runtime.MiniProgram.SubscribeMessages));
        sandbox.MapGet("/shipping-uploads", () => Results.Json(runtime.MiniProgram.ShippingUploads));
        sandbox.MapGet("/notifications", () => Results.Json(runtime.Notifications.Deliveries));
        sandbox.MapPost("/access-token/rotate", () =>
        {
            runtime.MiniProgram.RotateAccessToken();
            return Results.NoContent();
        });
        sandbox.MapPost("/login-codes", async (HttpRequest request) =>
            await ReadJsonAsync<LoginCodeRequest>(request) is { User: { Length: > 0 } user }
                ? Results.Json(new { code = runtime.MiniProgram.IssueLoginCode(user) })
                : Results.Json(new { code = "PARAM_ERROR", message = "body: {\"user\":\"alice\"}" }, statusCode: StatusCodes.Status400BadRequest));
        // The user agreed to share a number with the getPhoneNumber button: {"user":"alice","phoneNumber":"13912345678"}
        // ("countryCode", default "86"); the code the button gives, valid for 5 minutes and once.
        sandbox.MapPost("/phone-codes", async (HttpRequest request) =>
            await ReadJsonAsync<PhoneCodeRequest>(request) is { User: { Length: > 0 } user, PhoneNumber: { } phoneNumber } phone
                && PhoneDigits().IsMatch(phoneNumber) && (phone.CountryCode is null || PhoneDigits().IsMatch(phone.CountryCode))
                ? Results.Json(new { code = runtime.MiniProgram.IssuePhoneCode(user, phoneNumber, phone.CountryCode ?? "86") })
                : Results.Json(new { code = "PARAM_ERROR", message = "body: {\"user\":\"alice\",\"phoneNumber\":\"13912345678\"} (digits; \"countryCode\" optional, default \"86\")" }, statusCode: StatusCodes.Status400BadRequest));
        // The user accepted a template in wx.requestSubscribeMessage: {"openId":…} or {"user":…} (of "<user>#<n>"),
        // "templateId", and "times" (default 1), one message allowed per acceptance.
        sandbox.MapPost("/subscribe-messages/acceptances", async (HttpRequest request) =>
        {
            if (await ReadJsonAsync<AcceptanceRequest>(request) is not { TemplateId: { Length: > 0 } templateId, Times: null or > 0 } acceptance
                || (acceptance.OpenId is { Length: > 0 }) == (acceptance.User is { Length: > 0 }))
            {
                return Results.Json(new { code = "PARAM_ERROR", message = "body: {\"openId\":\"…\",\"templateId\":\"…\",\"times\":1} or {\"user\":\"alice\",\"templateId\":\"…\"}" }, statusCode: StatusCodes.Status400BadRequest);
            }

            runtime.MiniProgram.AcceptSubscribeMessages(acceptance.OpenId ?? runtime.MiniProgram.OpenIdOf(acceptance.User!), templateId, acceptance.Times ?? 1);
            return Results.NoContent();
        });
        sandbox.MapPost("/subscribe-messages/refusals", async (HttpRequest request) =>
        {
            if (await ReadJsonAsync<RefusalRequest>(request) is not { OpenId: { Length: > 0 } openId, TemplateId: { Length: > 0 } templateId })
            {
                return Results.Json(new { code = "PARAM_ERROR", message = "body: {\"openId\":\"…\",\"templateId\":\"…\"}" }, statusCode: StatusCodes.Status400BadRequest);
            }

            runtime.MiniProgram.RefuseSubscribeMessages(openId, templateId);
            return Results.NoContent();
        });
        sandbox.MapPost("/faults", async (HttpRequest request) =>
        {
            if (await ReadJsonAsync<FaultRequest>(request) is not { Api: { } api } fault || (fault.ErrCode == 0) == !fault.LoseAnswer)
            {
                return Results.Json(new { code = "PARAM_ERROR", message = "body: {\"api\":\"UploadShippingInfo\",\"errcode\":48001,\"times\":1} or {\"api\":…,\"loseAnswer\":true}" }, statusCode: StatusCodes.Status400BadRequest);
            }

            runtime.MiniProgram.InjectFault(api, fault.LoseAnswer ? SandboxFault.AnswerLost : SandboxFault.Error(fault.ErrCode, fault.ErrMsg), fault.Times ?? 1);
            return Results.NoContent();
        });
        sandbox.MapDelete("/faults", () =>
        {
            runtime.MiniProgram.ClearFaults();
            return Results.NoContent();
        });
    }

    private static async Task<T?> ReadOptionsAsync<T>(HttpRequest request)
        where T : class
    {
        var text = await ReadBodyAsync(request);
        try
        {
            return text.Length == 0 ? null : JsonSerializer.Deserialize<T>(text, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record RefundRefusalRequest(string? Code, int? Times);

    /// <summary>Null if the request carries a valid merchant signature, else why not.</summary>
    private static string? CheckMerchantSignature(SandboxRuntime runtime, string method, string target, string? header, string body)
    {
        if (!WeChatPayAuthorization.TryParse(header, out var authorization))
        {
            return $"Authorization is missing or not {WeChatPayAuthorization.Scheme} with mchid, nonce_str, signature, timestamp and serial_no.";
        }

        if (authorization!.MchId != runtime.Options.MchId)
        {
            return $"Unknown mchid {authorization.MchId}.";
        }

        if (authorization.SerialNo != runtime.Keys.Stored.MerchantSerialNo)
        {
            return $"serial_no {authorization.SerialNo} is not the merchant certificate's serial.";
        }

        if (!WeChatPaySignatures.TryParseTimestamp(authorization.Timestamp, out var signedAt)
            || (runtime.Options.TimeProvider.GetUtcNow() - signedAt).Duration() > WeChatPaySignatureVerifier.DefaultMaxClockSkew)
        {
            return "timestamp is missing or more than 5 minutes off.";
        }

        var message = WeChatPaySignatures.RequestMessage(method, target, authorization.Timestamp, authorization.NonceStr, body);
        return WeChatPaySignatures.Verify(runtime.Keys.MerchantKey, message, authorization.Signature)
            ? null
            : "signature does not verify (message: METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n).";
    }

    private static string Body(HttpContext http) => (string)http.Items[BodyItem]!;

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    }

    /// <summary>A developer endpoint's JSON body, or null when it is not one.</summary>
    private static async Task<T?> ReadJsonAsync<T>(HttpRequest request)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(await ReadBodyAsync(request), SandboxJson);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult WeChatAnswer(object body) => body is LostAnswer
        ? new DroppedConnection()
        : Results.Text(WeChatJson.Serialize(body), "application/json", Encoding.UTF8);

    /// <summary>The work is done, but the caller never hears back: the connection is reset instead of answered.</summary>
    private sealed class DroppedConnection : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Abort();
            return Task.CompletedTask;
        }
    }

    private sealed record LoginCodeRequest(string? User);

    private sealed record PhoneCodeRequest(string? User, string? PhoneNumber, string? CountryCode);

    [GeneratedRegex("^[0-9]{1,15}$")]
    private static partial Regex PhoneDigits();

    private sealed record RefusalRequest(string? OpenId, string? TemplateId);

    private sealed record AcceptanceRequest(string? OpenId, string? User, string? TemplateId, int? Times);

    private sealed record FaultRequest(MiniProgramApi? Api, [property: System.Text.Json.Serialization.JsonPropertyName("errcode")] int ErrCode, [property: System.Text.Json.Serialization.JsonPropertyName("errmsg")] string? ErrMsg, bool LoseAnswer, int? Times);

    /// <summary>A v3 answer signed with the sandbox's platform key, as WeChat Pay signs every answer.</summary>
    private sealed class SignedAnswer(V3Answer answer, SandboxRuntime runtime) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var json = answer.Body is null ? string.Empty : WeChatJson.Serialize(answer.Body);
            var response = httpContext.Response;
            response.StatusCode = answer.Status;
            foreach (var (name, value) in runtime.Signer.Sign(json, runtime.Options.TimeProvider.GetUtcNow()))
            {
                response.Headers[name] = value;
            }

            response.Headers[WeChatPayHeaders.RequestId] = Guid.NewGuid().ToString("N");
            if (json.Length > 0)
            {
                response.ContentType = "application/json; charset=utf-8";
                await response.WriteAsync(json, Encoding.UTF8, httpContext.RequestAborted);
            }
        }
    }
}
