using Microsoft.Extensions.Logging;

namespace GradientWatch.Events;

/// <summary>
/// Wraps the user's logger so that a throwing logging provider can never stop training: GradientWatch logs its
/// warnings from inside catch blocks of the step, where an exception from the logger would escape.
/// </summary>
internal sealed class GuardedLogger : ILogger
{
    private readonly ILogger inner;
    private int failures;

    private GuardedLogger(ILogger inner) => this.inner = inner;

    /// <summary>Failed calls into the inner logger so far.</summary>
    public int Failures => Volatile.Read(ref failures);

    /// <summary>A guarded logger from <paramref name="factory"/> (category <paramref name="category"/>), or a null logger when creating it fails.</summary>
    public static ILogger Create(ILoggerFactory? factory, string category)
    {
        if (factory is null)
        {
            return Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        }

        try
        {
            return new GuardedLogger(factory.CreateLogger(category));
        }
        catch (Exception)
        {
            return Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        try
        {
            return inner.BeginScope(state);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref failures);
            return null;
        }
    }

    public bool IsEnabled(LogLevel logLevel)
    {
        try
        {
            return inner.IsEnabled(logLevel);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref failures);
            return false;
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
        catch (Exception)
        {
            // A failing logging provider never stops training.
            Interlocked.Increment(ref failures);
        }
    }
}
