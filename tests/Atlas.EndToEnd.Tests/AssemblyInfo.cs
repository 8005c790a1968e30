// Each class starts a whole cluster; on a 2-core machine they run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
