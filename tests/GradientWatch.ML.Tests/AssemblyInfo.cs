// TorchSharp's default generator and thread pool are process-wide, and the machine is small:
// run the ML tests one at a time so that seeds and timings stay deterministic.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
