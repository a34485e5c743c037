using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace Mall.LocalHost.Tests;

/// <summary>Shapes the local host must refuse at start. Internal, so the sample assembly scan skips them.</summary>
internal static class UnsupportedFunctions
{
    public sealed class EntityFunction
    {
        [Function("Bad_Entity")]
        public static Task Run([EntityTrigger] TaskEntityDispatcher dispatcher) => Task.CompletedTask;
    }

    public sealed class RequestDataFunction
    {
        [Function("Bad_RequestData")]
        public static IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) => new OkResult();
    }

    public sealed class UnboundParameterFunction
    {
        [Function("Bad_Parameter")]
        public static IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "items/{id}")] HttpRequest request, string itemId) => new OkResult();
    }

    public sealed class MissingSettingFunction
    {
        [Function("Bad_Setting")]
        public static void Run([TimerTrigger("%NotConfigured%")] TimerInfo timer)
        {
        }
    }

    public sealed class FiveFieldCronFunction
    {
        [Function("Bad_Cron")]
        public static void Run([TimerTrigger("*/5 * * * *")] TimerInfo timer)
        {
        }
    }

    public sealed class TwoFunctionsOneName
    {
        [Function("Same_Name")]
        public static IActionResult First([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "a")] HttpRequest request) => new OkResult();

        [Function("Same_Name")]
        public static IActionResult Second([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "b")] HttpRequest request) => new OkResult();
    }
}
