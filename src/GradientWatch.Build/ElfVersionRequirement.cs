namespace GradientWatch.Build;

/// <summary>One Vernaux entry of <c>.gnu.version_r</c>: a version required from a needed file.</summary>
public sealed class ElfVersionRequirement
{
    internal ElfVersionRequirement(string file, string version, ushort flags, ushort index, long flagsOffset)
    {
        File = file;
        Version = version;
        Flags = flags;
        Index = index;
        FlagsOffset = flagsOffset;
    }

    /// <summary>The needed file (the Verneed's <c>vn_file</c>), e.g. <c>libstdc++.so.6</c>.</summary>
    public string File { get; }

    /// <summary>The version name (<c>vna_name</c>), e.g. <c>GLIBCXX_3.4.32</c>.</summary>
    public string Version { get; }

    /// <summary><c>vna_flags</c>; <see cref="ElfSymbolVersionPatcher.VerFlagWeak"/> marks it weak.</summary>
    public ushort Flags { get; }

    /// <summary><c>vna_other</c>: the version index that <c>.gnu.version</c> entries use.</summary>
    public ushort Index { get; }

    /// <summary>File offset of the two <c>vna_flags</c> bytes.</summary>
    public long FlagsOffset { get; }

    /// <summary>Whether <see cref="ElfSymbolVersionPatcher.VerFlagWeak"/> is set.</summary>
    public bool IsWeak => (Flags & ElfSymbolVersionPatcher.VerFlagWeak) != 0;
}
