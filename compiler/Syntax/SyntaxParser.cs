using Antlr4.Runtime;
using Antlr4.Runtime.Atn;
using Antlr4.Runtime.Misc;
using Baker.Compiler.Diagnostics;
using Baker.Compiler.Syntax.Generated;

namespace Baker.Compiler.Syntax;

/// <summary>
/// Text → AST for one file. Lexical problems become diagnostics and their tokens are dropped
/// before parsing, so the parser reports each syntax problem once. ANTLR's recovery keeps
/// parsing after an error, so one file reports all of its syntax errors. The AST is built only
/// from a file without syntax errors (a tree repaired by recovery would only cause cascades).
/// </summary>
public static class SyntaxParser
{
    public static CompilationUnit? Parse(string path, string text, DiagnosticBag diagnostics)
    {
        var lexer = new BakerLexer(new AntlrInputStream(text));
        lexer.RemoveErrorListeners();
        var tokens = new List<IToken>();
        int errorsBefore = diagnostics.Items.Count(d => d.IsError);
        for (var token = lexer.NextToken(); ; token = lexer.NextToken())
        {
            switch (token.Type)
            {
                case BakerLexer.BAD_CHAR:
                    diagnostics.Report(DiagnosticCatalog.UnexpectedCharacter, SpanOf(path, token), Printable(token.Text));
                    continue;
                case BakerLexer.UNTERMINATED_COMMENT:
                    diagnostics.Report(DiagnosticCatalog.UnterminatedComment, SpanOf(path, token));
                    continue;
                case BakerLexer.UNTERMINATED_STRING:
                    diagnostics.Report(DiagnosticCatalog.UnterminatedString, SpanOf(path, token));
                    continue;
            }
            tokens.Add(token);
            if (token.Type == TokenConstants.EOF) break;
        }

        var stream = new CommonTokenStream(new ListTokenSource(tokens));
        var parser = new BakerParser(stream);
        parser.RemoveErrorListeners();
        var listener = new SyntaxErrorListener(path, diagnostics);
        parser.AddErrorListener(listener);

        // Two-stage parsing: SLL is fast and right for almost every input; redo with full LL only
        // when SLL fails, so that the errors reported are the true ones.
        parser.Interpreter.PredictionMode = PredictionMode.SLL;
        parser.ErrorHandler = new BailErrorStrategy();
        BakerParser.CompilationUnitContext tree;
        try
        {
            tree = parser.compilationUnit();
        }
        catch (ParseCanceledException)
        {
            stream.Seek(0);
            parser.Reset();
            parser.Interpreter.PredictionMode = PredictionMode.LL;
            parser.ErrorHandler = new DefaultErrorStrategy();
            tree = parser.compilationUnit();
        }

        if (diagnostics.Items.Count(d => d.IsError) > errorsBefore) return null;
        return new AstBuilder(path, diagnostics).Build(tree);
    }

    internal static SourceSpan SpanOf(string path, IToken token) =>
        new(path, token.Line, token.Column + 1, token.StartIndex, token.StopIndex + 1);

    private static string Printable(string text) =>
        text.Length == 1 && char.IsControl(text[0]) ? $"\\u{(int)text[0]:x4}" : text;

    private sealed class SyntaxErrorListener(string path, DiagnosticBag diagnostics) : IAntlrErrorListener<IToken>
    {
        public void SyntaxError(TextWriter output, IRecognizer recognizer, IToken offendingSymbol, int line, int charPositionInLine,
            string msg, RecognitionException e)
        {
            var span = offendingSymbol is null
                ? new SourceSpan(path, line, charPositionInLine + 1, 0, 0)
                : SpanOf(path, offendingSymbol);
            string found = Describe(offendingSymbol);
            if (msg.StartsWith("missing ", StringComparison.Ordinal))
            {
                // ANTLR: "missing ';' at 'x'"
                int at = msg.LastIndexOf(" at ", StringComparison.Ordinal);
                string what = at > 8 ? msg[8..at] : msg[8..];
                diagnostics.Report(DiagnosticCatalog.MissingToken, span, what, found);
                return;
            }
            string expected = recognizer is Parser p ? ExpectedText(p) : "";
            diagnostics.Report(DiagnosticCatalog.SyntaxError, span, found,
                expected.Length > 0 ? $"expected {expected}" : "this does not fit here");
        }

        private static string Describe(IToken? token) =>
            token is null || token.Type == TokenConstants.EOF ? "end of file" : $"'{token.Text}'";

        private static string TokenName(string name) => name switch
        {
            "ID" => "a name",
            "INT" => "an integer",
            "IPV4" => "an IPv4 address",
            "MAC" => "a MAC address",
            "CHAR" => "a character",
            "STRING" => "a string",
            "ARROW" => "'->'",
            _ => name,
        };

        private static string ExpectedText(Parser parser)
        {
            IntervalSet set;
            try { set = parser.GetExpectedTokens(); }
            catch (ArgumentException) { return ""; }
            var names = set.ToList()
                .Select(t => t == TokenConstants.EOF ? "end of file" : TokenName(parser.Vocabulary.GetDisplayName(t)))
                .Where(n => n is not null)
                .ToList();
            if (names.Count == 0 || names.Count > 8) return "";
            return names.Count == 1 ? names[0] : "one of " + string.Join(", ", names);
        }
    }
}
