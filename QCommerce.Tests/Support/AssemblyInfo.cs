// Two cores: a few hosts and a browser at once is what this machine (and CI) can carry.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
