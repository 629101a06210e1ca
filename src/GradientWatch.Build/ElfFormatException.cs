using System;

namespace GradientWatch.Build;

/// <summary>The file is not an ELF file, or not one this parser supports, or it is malformed.</summary>
public sealed class ElfFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ElfFormatException(string message)
        : base(message)
    {
    }
}
