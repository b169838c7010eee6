using Baker.Compiler.Diagnostics;
using Baker.Compiler.Syntax;

namespace Baker.Compiler.Driver;

/// <summary>
/// Reads the root files and, transitively, every file they import (each file once, relative to
/// the importing file), parsing each. An import cycle is an error; a repeated import is ignored.
/// </summary>
public sealed class SourceLoader(DiagnosticBag diagnostics, Func<string, string?>? readFile = null)
{
    private readonly Func<string, string?> read = readFile ?? ReadFromDisk;
    private readonly Dictionary<string, CompilationUnit?> loaded = new(StringComparer.Ordinal);
    private readonly List<string> stack = new();
    private readonly List<CompilationUnit> units = new();

    /// <summary>Parsed units in dependency order (imports first). Files with syntax errors are absent.</summary>
    public IReadOnlyList<CompilationUnit> Load(IEnumerable<string> roots)
    {
        foreach (var root in roots) Load(Path.GetFullPath(root), null);
        return units;
    }

    private void Load(string fullPath, ImportDecl? importedBy)
    {
        if (stack.Contains(fullPath))
        {
            var cycle = stack.SkipWhile(p => p != fullPath).Append(fullPath).Select(Display);
            diagnostics.Report(DiagnosticCatalog.ImportCycle, importedBy!.Span, string.Join(" -> ", cycle));
            return;
        }
        if (loaded.ContainsKey(fullPath)) return;

        string display = Display(fullPath);
        var text = read(fullPath);
        if (text is null)
        {
            if (importedBy is null) diagnostics.Report(DiagnosticCatalog.CannotReadFile, new SourceSpan(display, 1, 1, 0, 0), "it does not exist or cannot be opened");
            else diagnostics.Report(DiagnosticCatalog.ImportNotFound, importedBy.Span, importedBy.RelativePath);
            loaded[fullPath] = null;
            return;
        }
        var unit = SyntaxParser.Parse(display, text, diagnostics);
        loaded[fullPath] = unit;
        if (unit is null) return;

        stack.Add(fullPath);
        foreach (var import in unit.Decls.OfType<ImportDecl>())
        {
            var dir = Path.GetDirectoryName(fullPath) ?? ".";
            Load(Path.GetFullPath(Path.Combine(dir, import.RelativePath)), import);
        }
        stack.RemoveAt(stack.Count - 1);
        units.Add(unit);
    }

    /// <summary>Paths in diagnostics are relative to the working directory when the file lies below it.</summary>
    private static string Display(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) ? fullPath : relative;
    }

    private static string? ReadFromDisk(string path)
    {
        try { return File.Exists(path) ? File.ReadAllText(path) : null; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
