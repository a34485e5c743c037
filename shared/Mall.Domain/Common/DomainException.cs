namespace Mall.Domain.Common;

/// <summary>
/// A business rule refused the request. Carries a stable machine code that the API turns
/// into an RFC 7807 problem; the message is safe to show to callers.
/// </summary>
public class DomainException : Exception
{
    public DomainException(ErrorCode code, string message, IReadOnlyDictionary<string, string[]>? fieldErrors = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        FieldErrors = fieldErrors;
    }

    public DomainException()
        : this(ErrorCode.Conflict, "The request conflicts with the current state.")
    {
    }

    public DomainException(string message)
        : this(ErrorCode.Conflict, message)
    {
    }

    public DomainException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = ErrorCode.Conflict;
    }

    public ErrorCode Code { get; }

    public IReadOnlyDictionary<string, string[]>? FieldErrors { get; }

    public static DomainException NotFound(string what) => new(ErrorCode.NotFound, $"{what} was not found.");

    public static DomainException Validation(string field, string message) =>
        new(ErrorCode.ValidationFailed, message, new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>A limit refused the request: TOO_MANY_REQUESTS, answered with Retry-After.</summary>
public sealed class TooManyRequestsException(string message, TimeSpan retryAfter) : DomainException(ErrorCode.TooManyRequests, message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
