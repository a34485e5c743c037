using Mall.WeChat.MiniProgram;

namespace Mall.UnitTests.WeChat;

/// <summary>WeChat's template value rules (subscribeMessage.send, 订阅消息参数值内容限制说明), with its own examples.</summary>
public sealed class SubscribeMessageRulesTests
{
    [Theory]
    [InlineData("thing1", "好久不见，回归礼券已放入您的账户")]
    [InlineData("thing1", "二十个字二十个字二十个字二十个字二十个字")]
    [InlineData("thing2", "🍵🍵🍵🍵🍵🍵🍵🍵🍵🍵🍵🍵🍵🍵🍵🍵🍵🍵🍵🍵")]
    [InlineData("amount1", "¥2990.00")]
    [InlineData("amount1", "￥100元")]
    [InlineData("number3", "-12.5")]
    [InlineData("time2", "15:01")]
    [InlineData("time2", "2019年10月1日 15:01")]
    [InlineData("time2", "2024-11-11 20:00~2024-11-11 23:59")]
    [InlineData("date4", "2019年10月1日")]
    [InlineData("date4", "2024-06-01")]
    [InlineData("character_string5", "SF1234567890")]
    [InlineData("phone_number6", "+86-0766-66888866")]
    [InlineData("car_number7", "粤A8Z888挂")]
    [InlineData("name8", "张三")]
    [InlineData("name8", "Alice Smith")]
    [InlineData("phrase9", "配送中")]
    [InlineData("future_kind1", "anything at all, WeChat may add kinds")]
    public void What_WeChat_takes_passes(string key, string value) =>
        Assert.Null(SubscribeMessageRules.FindViolation([KeyValuePair.Create(key, value)]));

    [Theory]
    [InlineData("thing1", "二十一个字二十一个字二十一个字二十一个字二", true)]
    [InlineData("thing1", " ", false)]
    [InlineData("amount1", "2990.00", false)]
    [InlineData("amount1", "¥12345678901", false)]
    [InlineData("number3", "12a", false)]
    [InlineData("time2", "明天", false)]
    [InlineData("date4", "11/11", false)]
    [InlineData("phrase9", "配送中心已发出", true)]
    [InlineData("name8", "欧阳诸葛司马上官长名字", true)]
    [InlineData("character_string5", "中文", false)]
    public void What_WeChat_refuses_is_found_with_WeChats_own_message(string key, string value, bool tooLong)
    {
        var violation = SubscribeMessageRules.FindViolation([KeyValuePair.Create("thing9", "ok"), KeyValuePair.Create(key, value)]);

        Assert.Equal((key, tooLong), (violation!.Key, violation.TooLong));
        Assert.Equal($"argument invalid! data.{key}.value {(tooLong ? "exceeds limit" : "invalid")}", violation.WeChatMessage);
    }
}
