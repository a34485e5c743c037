using System.Text;
using System.Text.Json.Nodes;

namespace Mall.InfraBicep.Tests;

/// <summary>
/// Just enough of the ARM template expression language to read an object literal the Bicep
/// compiler turned into createObject('key', value, ...) inside a larger expression.
/// </summary>
public static class ArmExpression
{
    /// <summary>The first createObject(...) of a "[...]" expression, as key → value text (constants unquoted).</summary>
    public static JsonObject? FirstObject(string expression)
    {
        var start = expression.IndexOf("createObject(", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var arguments = Arguments(expression, start + "createObject(".Length);
        var result = new JsonObject();
        for (var i = 0; i + 1 < arguments.Count; i += 2)
        {
            var key = Unquote(arguments[i]) ?? throw new InvalidOperationException($"Computed key {arguments[i]} in app settings.");
            result[key] = Unquote(arguments[i + 1]) ?? arguments[i + 1];
        }

        return result;
    }

    /// <summary>The string a constant 'text' stands for; null for anything else.</summary>
    public static string? Unquote(string argument) =>
        argument.Length >= 2 && argument[0] == '\'' && argument[^1] == '\''
            ? argument[1..^1].Replace("''", "'", StringComparison.Ordinal)
            : null;

    /// <summary>The top-level arguments of the call whose opening parenthesis precedes <paramref name="index"/>.</summary>
    private static List<string> Arguments(string text, int index)
    {
        var arguments = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        for (var i = index; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\'')
            {
                // A string runs to the next lone quote; '' is an escaped quote.
                var end = i + 1;
                while (end < text.Length && !(text[end] == '\'' && (end + 1 >= text.Length || text[end + 1] != '\'')))
                {
                    end += text[end] == '\'' ? 2 : 1;
                }

                current.Append(text, i, end - i + 1);
                i = end;
                continue;
            }

            if (depth == 0 && (c == ',' || c == ')'))
            {
                arguments.Add(current.ToString().Trim());
                current.Clear();
                if (c == ')')
                {
                    return arguments;
                }

                continue;
            }

            depth += c is '(' or '[' ? 1 : c is ')' or ']' ? -1 : 0;
            current.Append(c);
        }

        throw new InvalidOperationException("Unbalanced expression: " + text);
    }
}
