using Antlr4.Runtime;
using Baker.Compiler.Driver;
using Baker.Compiler.Syntax.Generated;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.FrontEnd;

/// <summary>
/// 1,000 random mutations of the valid programs (tokens and lines deleted, duplicated or swapped)
/// go through the front end: it must never throw, and whenever it rejects a program it must say
/// where.
/// </summary>
public class MutationFuzzTests
{
    private const int Mutations = 1000;

    [Fact]
    public void MutatedProgramsNeverCrashTheFrontEndAndRejectionsAreLocated()
    {
        var sources = Directory.GetFiles(Repo.Path("tests", "frontend", "valid"), "*.baker").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(sources);
        var random = new Random(20261121);
        int rejected = 0;
        for (int i = 0; i < Mutations; i++)
        {
            var path = sources[random.Next(sources.Count)];
            var original = File.ReadAllText(path);
            var mutated = Mutate(original, random);
            string full = Path.GetFullPath(path);
            FrontEndResult result;
            try
            {
                result = Baker.Compiler.Driver.FrontEnd.Check([path], p => p == full ? mutated : File.Exists(p) ? File.ReadAllText(p) : null);
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} of {Path.GetFileName(path)} crashed the front end: {e}\n--- program ---\n{mutated}");
                return;
            }
            Assert.DoesNotContain(result.Diagnostics, d => d.Code == "BK9001");
            if (!result.HasErrors) continue;
            rejected++;
            foreach (var d in result.Diagnostics)
                Assert.True(d.Span.Line >= 1 && d.Span.Column >= 1 && d.Span.Path.Length > 0 && d.Code.StartsWith("BK"),
                    $"mutation {i}: unlocated diagnostic '{d}'\n--- program ---\n{mutated}");
        }
        // Most mutations break a program; if none did, the mutator is broken.
        Assert.True(rejected > Mutations / 2, $"only {rejected} of {Mutations} mutations were rejected");
    }

    private static string Mutate(string text, Random random)
    {
        int kind = random.Next(6);
        if (kind < 3)
        {
            var lines = text.Split('\n').ToList();
            int a = random.Next(lines.Count), b = random.Next(lines.Count);
            switch (kind)
            {
                case 0: lines.RemoveAt(a); break;
                case 1: lines.Insert(a, lines[b]); break;
                default: (lines[a], lines[b]) = (lines[b], lines[a]); break;
            }
            return string.Join('\n', lines);
        }
        var tokens = Tokens(text);
        if (tokens.Count < 2) return text + "}";
        var t1 = tokens[random.Next(tokens.Count)];
        var t2 = tokens[random.Next(tokens.Count)];
        string s1 = text.Substring(t1.Start, t1.Length), s2 = text.Substring(t2.Start, t2.Length);
        switch (kind)
        {
            case 3: return text.Remove(t1.Start, t1.Length);
            case 4: return text.Insert(t1.Start, s2 + " ");
            default:
                if (t1.Start > t2.Start) (t1, t2, s1, s2) = (t2, t1, s2, s1);
                if (t1.Start + t1.Length > t2.Start) return text;
                return text[..t1.Start] + s2 + text[(t1.Start + t1.Length)..t2.Start] + s1 + text[(t2.Start + t2.Length)..];
        }
    }

    private static List<(int Start, int Length)> Tokens(string text)
    {
        var lexer = new BakerLexer(new AntlrInputStream(text));
        lexer.RemoveErrorListeners();
        var result = new List<(int, int)>();
        for (var t = lexer.NextToken(); t.Type != TokenConstants.EOF; t = lexer.NextToken())
            if (t.Channel == TokenConstants.DefaultChannel) result.Add((t.StartIndex, t.StopIndex - t.StartIndex + 1));
        return result;
    }
}
