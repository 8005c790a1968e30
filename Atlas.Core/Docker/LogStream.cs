namespace Atlas.Core.Docker;

/// <summary>Which stream of a container a chunk of its log came from (the engine's stream type byte).</summary>
public enum LogStream
{
    Stdout = 1,
    Stderr = 2,
}
