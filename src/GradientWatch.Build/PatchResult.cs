namespace GradientWatch.Build;

/// <summary>Outcome of <see cref="ElfSymbolVersionPatcher.MarkVersionRequirementWeak(string, string, string)"/>.</summary>
public enum PatchResult
{
    /// <summary>The file does not require the version at all; nothing was written.</summary>
    NotNeeded,

    /// <summary>Every requirement of the version was already weak; nothing was written.</summary>
    AlreadyWeak,

    /// <summary>At least one requirement was changed to weak and the file was replaced.</summary>
    Patched,
}
