namespace Federation.Hub.Storage;

/// <summary>The private local Redis cannot run; the message says how to fix it, in one line.</summary>
public sealed class LocalRedisUnavailableException : Exception
{
    public LocalRedisUnavailableException()
    {
    }

    public LocalRedisUnavailableException(string message)
        : base(message)
    {
    }

    public LocalRedisUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
