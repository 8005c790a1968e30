namespace Atlas.Worker.Runtime;

/// <summary>Which of the job's streams a chunk of output came from.</summary>
public enum OutputStream
{
    Stdout,
    Stderr,
}
