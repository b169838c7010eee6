namespace Baker.Compiler.Diagnostics;

public enum Severity { Warning, Error }

/// <summary>A position in a source file. Lines and columns are 1-based; Start/End are character offsets.</summary>
public readonly record struct SourceSpan(string Path, int Line, int Column, int Start, int End)
{
    public static readonly SourceSpan None = new("<none>", 0, 0, 0, 0);
    public override string ToString() => $"{Path}({Line},{Column})";

    /// <summary>The form used inside messages: line:column (the file is the diagnostic's own in nearly every case).</summary>
    public string Short => $"{Line}:{Column}";
}

/// <summary>One entry of the catalog: a stable code, a severity and a message template.</summary>
public sealed record DiagnosticDescriptor(string Code, Severity Severity, string Template)
{
    public Diagnostic At(SourceSpan span, params object[] args) =>
        new(this, span, args.Length == 0 ? Template : string.Format(System.Globalization.CultureInfo.InvariantCulture, Template, args));
}

public sealed record Diagnostic(DiagnosticDescriptor Descriptor, SourceSpan Span, string Message)
{
    public string Code => Descriptor.Code;
    public Severity Severity => Descriptor.Severity;
    public bool IsError => Severity == Severity.Error;

    /// <summary>The MSBuild-style form tools and editors understand: <c>path(line,col): error BK2003: message</c>.</summary>
    public override string ToString() =>
        $"{Span.Path}({Span.Line},{Span.Column}): {(IsError ? "error" : "warning")} {Code}: {Message}";
}

/// <summary>Collects diagnostics in report order; never throws.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> items = new();
    private readonly HashSet<(string, string, int, string)> seen = new();

    public IReadOnlyList<Diagnostic> Items => items;
    public bool HasErrors => items.Any(d => d.IsError);

    public void Add(Diagnostic d)
    {
        // The same fact found twice (e.g. through two instances of one PPF) is reported once.
        if (seen.Add((d.Code, d.Span.Path, d.Span.Start, d.Message)))
            items.Add(d);
    }

    public void Report(DiagnosticDescriptor descriptor, SourceSpan span, params object[] args) =>
        Add(descriptor.At(span, args));

    public IReadOnlyList<Diagnostic> Sorted() =>
        items.OrderBy(d => d.Span.Path, StringComparer.Ordinal).ThenBy(d => d.Span.Start).ThenBy(d => d.Code, StringComparer.Ordinal).ToList();
}
