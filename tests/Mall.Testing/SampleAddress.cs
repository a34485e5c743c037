namespace Mall.Testing;

/// <summary>The delivery address the end-to-end tests and the soak send with their orders.</summary>
public static class SampleAddress
{
    public static object Body { get; } = new
    {
        recipient = "张三",
        phone = "13800138000",
        province = "浙江省",
        city = "杭州市",
        district = "西湖区",
        detail = "龙井路 1 号",
    };
}
