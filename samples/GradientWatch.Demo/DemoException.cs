namespace GradientWatch.Demo;

/// <summary>A problem the user can fix (bad input, unwritable folder, port in use): printed as a message, never as a stack trace.</summary>
internal sealed class DemoException : Exception
{
    public DemoException(string message)
        : base(message)
    {
    }

    public DemoException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
