using System.Text.RegularExpressions;

namespace Mall.WeChat.MiniProgram;

/// <summary>A template value WeChat would refuse (errcode 47003), and why.</summary>
/// <param name="Key">The data key, e.g. <c>thing1</c>.</param>
/// <param name="Limit">The rule it breaks, as WeChat states it.</param>
/// <param name="TooLong">Over the length limit (WeChat: "exceeds limit") rather than of the wrong form ("invalid").</param>
public sealed record TemplateValueViolation(string Key, string Limit, bool TooLong)
{
    /// <summary>WeChat's own errmsg for it.</summary>
    public string WeChatMessage => $"argument invalid! data.{Key}.value {(TooLong ? "exceeds limit" : "invalid")}";

    public override string ToString() => $"{Key}: {Limit}";
}

/// <summary>
/// The value rules of subscribe-message template data, by the kind a key names (<c>thing1</c> is a
/// <c>thing</c>): developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html,
/// "订阅消息参数值内容限制说明". WeChat refuses the whole message (47003) when one value breaks its rule, so the
/// mall checks before it spends a customer's subscription. Kinds WeChat may add later are not checked.
/// </summary>
public static partial class SubscribeMessageRules
{
    private static readonly Dictionary<string, Rule> Rules = new(StringComparer.Ordinal)
    {
        ["thing"] = new("20个以内字符", MaxLength: 20),
        ["short_thing"] = new("5个以内字符", MaxLength: 5),
        ["number"] = new("32位以内数字，可带小数", MaxLength: 32, Form: NumberForm()),
        ["letter"] = new("32位以内字母", MaxLength: 32, Form: LetterForm()),
        ["symbol"] = new("5位以内符号", MaxLength: 5, Form: SymbolForm()),
        ["character_string"] = new("32位以内数字、字母或符号", MaxLength: 32, Form: CharacterStringForm()),
        ["time"] = new("24小时制时间（可带年月日），时间段用~连接", MaxLength: 64, Form: TimeForm()),
        ["date"] = new("年月日（可带24小时制时间），日期段用~连接", MaxLength: 64, Form: DateForm()),
        ["amount"] = new("1个币种符号+10位以内纯数字，可带小数，结尾可带元", MaxLength: 16, Form: AmountForm()),
        ["phone_number"] = new("17位以内数字、符号", MaxLength: 17, Form: PhoneForm()),
        ["car_number"] = new("8位以内，首尾可为汉字，其余为字母或数字", MaxLength: 8, Form: CarNumberForm()),
        ["name"] = new("10个以内纯汉字或20个以内纯字母或符号", MaxLength: 20, Form: NameForm()),
        ["phrase"] = new("5个以内汉字", MaxLength: 5, Form: PhraseForm()),
    };

    /// <summary>The first value WeChat would refuse, or null when all of them pass.</summary>
    public static TemplateValueViolation? FindViolation(IEnumerable<KeyValuePair<string, string>> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        foreach (var (key, value) in data)
        {
            if (!Rules.TryGetValue(KindOf(key), out var rule))
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(value))
            {
                return new TemplateValueViolation(key, "不能为空", TooLong: false);
            }

            // WeChat counts characters, not UTF-16 units: an emoji is one character.
            if (value.EnumerateRunes().Count() > rule.MaxLength || (KindOf(key) == "name" && HasChinese(value) && value.EnumerateRunes().Count() > 10))
            {
                return new TemplateValueViolation(key, rule.Limit, TooLong: true);
            }

            if (rule.Form is { } form && !form.IsMatch(value))
            {
                return new TemplateValueViolation(key, rule.Limit, TooLong: false);
            }
        }

        return null;
    }

    /// <summary>The kind a data key names: the key without its trailing number.</summary>
    public static string KindOf(string key) => key.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');

    private static bool HasChinese(string value) => value.Any(c => c is >= '\u4e00' and <= '\u9fff');

    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex NumberForm();

    [GeneratedRegex("^[A-Za-z]+$")]
    private static partial Regex LetterForm();

    [GeneratedRegex(@"^[\p{P}\p{S}]+$")]
    private static partial Regex SymbolForm();

    [GeneratedRegex(@"^[\x21-\x7E]+$")]
    private static partial Regex CharacterStringForm();

    private const string DayPattern = @"(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2})";
    private const string ClockPattern = @"\d{1,2}:\d{2}(?::\d{2})?";
    private const string TimePointPattern = "(?:" + DayPattern + " ?)?" + ClockPattern;
    private const string DatePointPattern = DayPattern + "(?: ?" + ClockPattern + ")?";

    // 15:01 | 2019年10月1日 15:01 | 2019-10-01 15:01, or a period of two joined by ~.
    [GeneratedRegex("^" + TimePointPattern + "(?: ?~ ?" + TimePointPattern + ")?$")]
    private static partial Regex TimeForm();

    // 2019年10月1日 | 2019-10-01, optionally with a 24-hour time, or a period of two joined by ~.
    [GeneratedRegex("^" + DatePointPattern + "(?: ?~ ?" + DatePointPattern + ")?$")]
    private static partial Regex DateForm();

    [GeneratedRegex(@"^[¥￥$€£]\d{1,10}(\.\d{1,2})?元?$")]
    private static partial Regex AmountForm();

    [GeneratedRegex(@"^[\d+\-() ]+$")]
    private static partial Regex PhoneForm();

    [GeneratedRegex(@"^[\u4e00-\u9fffA-Za-z0-9][A-Za-z0-9]*[\u4e00-\u9fffA-Za-z0-9]?$")]
    private static partial Regex CarNumberForm();

    [GeneratedRegex(@"^(?:[\u4e00-\u9fff·A-Za-z]+|[A-Za-z\p{P}\p{S} ]+)$")]
    private static partial Regex NameForm();

    [GeneratedRegex(@"^[\u4e00-\u9fff]+$")]
    private static partial Regex PhraseForm();

    private sealed record Rule(string Limit, int MaxLength, Regex? Form = null);
}
