using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GradientWatch.Events;

/// <summary>
/// A file opened for appending whole records. On Linux and macOS it is opened with <c>O_APPEND</c> and every record
/// goes to the kernel in one <c>write()</c>, so several writers (watchers in one process, or several processes) can
/// share one file on a local file system without interleaving or overwriting each other's lines: the kernel moves to
/// the end and writes each record under the file's lock. (.NET's <see cref="FileMode.Append"/> only seeks to the end
/// once, at open, and is not <c>O_APPEND</c>.) Elsewhere a <see cref="FileStream"/> is used: one writer per process.
/// </summary>
internal sealed partial class AppendOnlyFile : IDisposable
{
    private const int EINTR = 4;
    private const int EACCES = 13;
    private readonly SafeFileHandle handle;
    private readonly FileStream? fallback;

    private AppendOnlyFile(SafeFileHandle handle, FileStream? fallback)
    {
        this.handle = handle;
        this.fallback = fallback;
    }

    /// <summary>Opens (creating if needed) <paramref name="path"/> for appending.</summary>
    /// <exception cref="IOException">The file cannot be opened; the message holds the operating system's reason.</exception>
    public static AppendOnlyFile Open(string path)
    {
        if (OpenFlags() is not { } flags)
        {
            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            return new AppendOnlyFile(stream.SafeFileHandle, stream);
        }

        int fd;
        do
        {
            fd = NativeOpen(path, flags, 420 /* 0644 */);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (fd < 0 && Marshal.GetLastPInvokeError() == EACCES)
        {
            // Write permission without read permission: append anyway; a cut-short write then cannot be undone.
            fd = NativeOpen(path, (flags & ~0x3) | 0x1, 420);
        }

        if (fd < 0)
        {
            throw Error(path);
        }

        return new AppendOnlyFile(new SafeFileHandle(fd, ownsHandle: true), null);
    }

    /// <summary>
    /// Appends <paramref name="record"/> with a single write. Returns the number of bytes written: the whole
    /// record, or fewer when the write was cut short (for example a full disk). Throws when nothing could be written.
    /// </summary>
    public unsafe int Append(ReadOnlySpan<byte> record)
    {
        if (fallback is not null)
        {
            fallback.Write(record);
            return record.Length;
        }

        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            nint n;
            fixed (byte* p = record)
            {
                do
                {
                    n = NativeWrite(fd, p, (nuint)record.Length);
                }
                while (n < 0 && Marshal.GetLastPInvokeError() == EINTR);
            }

            if (n < 0)
            {
                throw Error(null);
            }

            return (int)n;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// After a write that stopped after <paramref name="written"/> bytes of <paramref name="record"/>: removes that
    /// fragment from the end of the file if it is still the last thing in it (no other writer appended since).
    /// Returns whether the file now ends where it ended before the write.
    /// </summary>
    public bool TryRemoveFragment(ReadOnlySpan<byte> record, int written)
    {
        if (written == 0)
        {
            return true;
        }

        try
        {
            if (fallback is not null)
            {
                fallback.SetLength(fallback.Length - written);
                return true;
            }

            long length = RandomAccess.GetLength(handle);
            if (length < written)
            {
                return false;
            }

            var tail = new byte[written];
            if (RandomAccess.Read(handle, tail, length - written) != written || !tail.AsSpan().SequenceEqual(record[..written]))
            {
                return false;
            }

            return NativeTruncate((int)handle.DangerousGetHandle(), length - written) == 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (fallback is not null)
        {
            fallback.Dispose();
        }
        else
        {
            handle.Dispose();
        }
    }

    /// <summary><c>O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC</c> for this OS (read access lets a cut-short write be undone), or null to fall back to a FileStream.</summary>
    private static int? OpenFlags()
    {
        if (OperatingSystem.IsLinux())
        {
            return 0x2 | 0x40 | 0x400 | 0x80000;
        }

        if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return 0x2 | 0x200 | 0x8 | (OperatingSystem.IsMacOS() ? 0x1000000 : 0x100000);
        }

        return null;
    }

    private static IOException Error(string? path)
    {
        int errno = Marshal.GetLastPInvokeError();
        string reason = Marshal.GetPInvokeErrorMessage(errno);
        return new IOException(path is null ? reason : $"{reason}: '{path}'", errno);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeOpen(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint NativeWrite(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int NativeTruncate(int fd, long length);
}
