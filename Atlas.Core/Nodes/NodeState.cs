namespace Atlas.Core.Nodes;

/// <summary>Whether a node takes work: <c>ready</c>, <c>draining</c> (finishing what it has) or <c>down</c> (silent).</summary>
public enum NodeState
{
    Ready,
    Draining,
    Down,
}
