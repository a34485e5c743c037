namespace Mall.Application.Platform;

/// <summary>Masking for personal data shown to operators or written to logs.</summary>
public static class PersonalData
{
    /// <summary>"13812345678" → "138****5678".</summary>
    public static string MaskPhone(string phone) =>
        phone.Length >= 7 ? string.Concat(phone.AsSpan(0, 3), new string('*', phone.Length - 7), phone.AsSpan(phone.Length - 4)) : new string('*', phone.Length);

    /// <summary>"龙井路 1 号" → "龙井*****": enough to tell addresses apart, never the street number or the flat.</summary>
    public static string MaskAddressLine(string line) =>
        line.Length <= 2 ? new string('*', line.Length) : string.Concat(line.AsSpan(0, 2), new string('*', line.Length - 2));

    /// <summary>"张三丰" → "张**".</summary>
    public static string MaskName(string name) =>
        name.Length <= 1 ? "*" : string.Concat(name.AsSpan(0, 1), new string('*', name.Length - 1));
}
