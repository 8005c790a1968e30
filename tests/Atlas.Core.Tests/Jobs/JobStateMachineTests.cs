using Atlas.Core.Jobs;

namespace Atlas.Core.Tests.Jobs;

public class JobStateMachineTests
{
    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Cancelled)]
    public void Next_TerminalState_IsEmpty(JobState state)
    {
        JobStateMachine.IsTerminal(state).ShouldBeTrue();
        JobStateMachine.Next(state).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(JobState.Queued, JobState.Assigned, true)]
    [InlineData(JobState.Assigned, JobState.Starting, true)]
    [InlineData(JobState.Starting, JobState.Running, true)]
    [InlineData(JobState.Assigned, JobState.Running, false)]
    [InlineData(JobState.Assigned, JobState.Succeeded, false)]
    [InlineData(JobState.Starting, JobState.Succeeded, false)]
    [InlineData(JobState.Running, JobState.Queued, true)]
    [InlineData(JobState.Lost, JobState.Cancelled, true)]
    [InlineData(JobState.Running, JobState.Succeeded, true)]
    [InlineData(JobState.Running, JobState.Lost, true)]
    [InlineData(JobState.Lost, JobState.Queued, true)]
    [InlineData(JobState.Queued, JobState.Running, false)]
    [InlineData(JobState.Succeeded, JobState.Queued, false)]
    [InlineData(JobState.Cancelled, JobState.Running, false)]
    public void CanMove_FollowsLifecycle(JobState from, JobState to, bool expected) =>
        JobStateMachine.CanMove(from, to).ShouldBe(expected);

    [Fact]
    public void Next_EveryState_IsDefined()
    {
        foreach (var state in Enum.GetValues<JobState>())
        {
            JobStateMachine.Next(state).ShouldNotBeNull();
        }
    }
}
