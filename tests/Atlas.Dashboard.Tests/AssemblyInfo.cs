// Each class starts a whole cluster and a browser; on a 2-core machine they run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
