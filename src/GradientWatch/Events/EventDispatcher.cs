using Microsoft.Extensions.Logging;

namespace GradientWatch.Events;

/// <summary>
/// Fans events out to every sink: the bounded history, observers, callbacks, the logger and the event file.
/// A failing sink is isolated: it never stops training or the other sinks.
/// </summary>
internal sealed class EventDispatcher : IObservable<GradientEvent>, IDisposable
{
    private readonly object gate = new();
    private readonly Queue<GradientEvent> history = new();
    private readonly int capacity;
    private readonly List<IObserver<GradientEvent>> observers = new();
    private readonly IReadOnlyList<Action<GradientEvent>> callbacks;
    private readonly ILogger logger;
    private readonly EventFileSink? file;

    public EventDispatcher(int capacity, IReadOnlyList<Action<GradientEvent>> callbacks, ILogger logger, string? eventFilePath)
    {
        this.capacity = capacity;
        this.callbacks = callbacks;
        this.logger = logger;
        file = eventFilePath is null ? null : new EventFileSink(eventFilePath, logger);
    }

    public string? EventFilePath => file?.Path;

    public IReadOnlyList<GradientEvent> History
    {
        get
        {
            lock (gate)
            {
                return history.ToArray();
            }
        }
    }

    public void Publish(GradientEvent e)
    {
        lock (gate)
        {
            history.Enqueue(e);
            while (history.Count > capacity)
            {
                history.Dequeue();
            }
        }

        file?.Write(e);
        Log(e);
        foreach (var callback in callbacks)
        {
            try
            {
                callback(e);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "GradientWatch: an event callback threw; training continues");
            }
        }

        IObserver<GradientEvent>[] current;
        lock (gate)
        {
            current = observers.ToArray();
        }

        foreach (var observer in current)
        {
            try
            {
                observer.OnNext(e);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "GradientWatch: an event observer threw; training continues");
            }
        }
    }

    public IDisposable Subscribe(IObserver<GradientEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (gate)
        {
            observers.Add(observer);
        }

        return new Unsubscriber(this, observer);
    }

    public void Dispose()
    {
        IObserver<GradientEvent>[] current;
        lock (gate)
        {
            current = observers.ToArray();
            observers.Clear();
        }

        foreach (var observer in current)
        {
            try
            {
                observer.OnCompleted();
            }
            catch (Exception)
            {
                // Completion is best effort.
            }
        }

        file?.Dispose();
    }

    private void Log(GradientEvent e)
    {
        var level = e.Severity switch
        {
            GradientEventSeverity.Critical => LogLevel.Critical,
            GradientEventSeverity.Error => LogLevel.Error,
            GradientEventSeverity.Warning => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        try
        {
            if (logger.IsEnabled(level))
            {
                logger.Log(level, "GradientWatch step {Step} {Type} {Name}: {Message}{AdviceSeparator}{Advice}", e.Step, e.Type, e.Type == GradientEventType.Issue ? e.Kind : e.Remedy, e.Message, e.Advice is null ? string.Empty : " Advice: ", e.Advice ?? string.Empty);
            }
        }
        catch (Exception)
        {
            // Logging never stops training.
        }
    }

    private sealed class Unsubscriber : IDisposable
    {
        private readonly EventDispatcher owner;
        private readonly IObserver<GradientEvent> observer;

        public Unsubscriber(EventDispatcher owner, IObserver<GradientEvent> observer)
        {
            this.owner = owner;
            this.observer = observer;
        }

        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.observers.Remove(observer);
            }
        }
    }
}
