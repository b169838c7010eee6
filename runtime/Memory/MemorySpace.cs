namespace Baker.Runtime.Memory;

/// <summary>The chip's shared memories. Values are the image encoding.</summary>
public enum MemorySpace : byte { Scratch = 0, Sram = 1, Dram = 2 }

public static class MemorySpaceNames
{
    public static string Name(MemorySpace s) => s switch
    {
        MemorySpace.Scratch => "scratch",
        MemorySpace.Sram => "sram",
        _ => "dram",
    };

    public static bool TryParse(string text, out MemorySpace space)
    {
        switch (text.ToLowerInvariant())
        {
            case "scratch": space = MemorySpace.Scratch; return true;
            case "sram": space = MemorySpace.Sram; return true;
            case "dram": space = MemorySpace.Dram; return true;
            default: space = default; return false;
        }
    }
}
