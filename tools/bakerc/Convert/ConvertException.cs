namespace Baker.Tools.Bakerc.Convert;

/// <summary>A converter's input is malformed: names the file and the 1-based line.</summary>
public sealed class ConvertException(string file, int line, string message) : Exception($"{file}:{line}: {message}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
}
