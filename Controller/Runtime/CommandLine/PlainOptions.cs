using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Robotics.Controller.CommandLine;

/// <summary>
/// A command line's options read the way their help reads, and refused in the same terms: System.CommandLine's own
/// conversion error names .NET types ("as expected type 'System.Nullable`1[System.Double]'") and its parse errors
/// come with the whole help text after them.
/// </summary>
public static class PlainOptions
{
    /// <summary>
    /// Every option and argument of <paramref name="root"/> and its subcommands: numbers must be finite, whole numbers
    /// must fit, a file or name must not be empty (.NET's own error for an empty path names a parameter), each refused as
    /// one line naming the option. An option that parses itself
    /// already (a number with its own range, say) keeps its parser.
    /// </summary>
    public static T Apply<T>(T root) where T : Command
    {
        foreach (var option in Commands(root).SelectMany(c => c.Options))
        {
            switch (option)
            {
                case Option<double> o:
                    o.CustomParser ??= r => Number(r, o.Name);
                    break;
                case Option<double?> o:
                    o.CustomParser ??= r => Number(r, o.Name);
                    break;
                case Option<int> o:
                    o.CustomParser ??= r => WholeNumber<int>(r, o.Name);
                    break;
                case Option<int?> o:
                    o.CustomParser ??= r => WholeNumber<int>(r, o.Name);
                    break;
                case Option<long> o:
                    o.CustomParser ??= r => WholeNumber<long>(r, o.Name);
                    break;
                case Option<string> or Option<string?> or Option<string[]>:
                    option.Validators.Add(r => RefuseEmpty(r, option.Name));
                    break;
            }
        }
        foreach (var argument in Commands(root).SelectMany(c => c.Arguments))
        {
            if (argument is Argument<string> or Argument<string?> or Argument<string[]>)
            {
                argument.Validators.Add(r => RefuseEmpty(r, argument.Name));
            }
        }
        return root;
    }

    /// <summary>Restricts an option to <paramref name="values"/>, refused in one line (AcceptOnlyFromAmong's error spans several).</summary>
    public static void OneOf<TValue>(Option<TValue> option, params string[] values)
    {
        option.CompletionSources.Add(values);
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !values.Contains(result.Tokens[^1].Value, StringComparer.Ordinal))
            {
                result.AddError($"{option.Name}: '{result.Tokens[^1].Value}' is not one of {string.Join(", ", values)}");
            }
        });
    }

    /// <summary>
    /// Invokes a parsed command line; a command line that does not parse is one "error: ..." line per problem on stderr
    /// and exit code 1, without the help text; a mistyped option or command is one line alone, its suggestion last.
    /// </summary>
    public static Task<int> InvokeAsync(ParseResult parse, InvocationConfiguration configuration, CancellationToken cancellation = default) =>
        parse.Action is ParseErrorAction ? Task.FromResult(ReportErrors(parse, configuration)) : parse.InvokeAsync(configuration, cancellation);

    /// <summary>The synchronous <see cref="InvokeAsync"/>.</summary>
    public static int Invoke(ParseResult parse, InvocationConfiguration configuration) =>
        parse.Action is ParseErrorAction ? ReportErrors(parse, configuration) : parse.Invoke(configuration);

    private static int ReportErrors(ParseResult parse, InvocationConfiguration configuration)
    {
        if (UnknownToken.Describe(parse) is string unknown)
        {
            configuration.Error.WriteLine("error: " + unknown);
            return 1;
        }
        foreach (var error in parse.Errors)
        {
            configuration.Error.WriteLine("error: " + string.Join(' ', error.Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }
        return 1;
    }

    private static IEnumerable<Command> Commands(Command command) => command.Subcommands.SelectMany(Commands).Prepend(command);

    private static double Number(ArgumentResult result, string name)
    {
        string text = LastToken(result);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
        {
            return value;
        }
        result.AddError($"{name}: '{text}' is not a finite number");
        return 0;
    }

    private static T WholeNumber<T>(ArgumentResult result, string name) where T : IBinaryInteger<T>, IMinMaxValue<T>
    {
        string text = LastToken(result);
        if (T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out T? value))
        {
            return value;
        }
        result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name}: '{text}' is not a whole number from {T.MinValue} to {T.MaxValue}"));
        return T.Zero;
    }

    private static string LastToken(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static void RefuseEmpty(SymbolResult result, string name)
    {
        if (result.Tokens.Any(token => string.IsNullOrWhiteSpace(token.Value)))
        {
            result.AddError($"{name}: got an empty value; give a name or a path");
        }
    }
}
