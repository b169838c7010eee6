using Baker.Compiler.Diagnostics;
using Baker.Compiler.Syntax;

namespace Baker.Compiler.Semantics;

/// <summary>
/// The names declared in one PPF or module: a second declaration of a name, or a declaration of a
/// name the language reserves there, is reported (BK2002) and refused.
/// </summary>
internal sealed class DeclarationSpace(DiagnosticBag diagnostics, string where, Func<string, bool> isReserved)
{
    private readonly Dictionary<string, SourceSpan> names = new(StringComparer.Ordinal);

    public bool Claim(Name n)
    {
        if (names.TryGetValue(n.Text, out var prev))
        {
            diagnostics.Report(DiagnosticCatalog.DuplicateDeclaration, n.Span, n.Text, where, prev);
            return false;
        }
        if (isReserved(n.Text))
        {
            diagnostics.Report(DiagnosticCatalog.DuplicateDeclaration, n.Span, n.Text, "as a built-in", "the language reference");
            return false;
        }
        names[n.Text] = n.Span;
        return true;
    }
}
