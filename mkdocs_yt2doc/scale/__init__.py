"""`prefetch --ray`: the talks fanned out over a Ray cluster: the driver's calls (api), its
workers (pool), which talk goes where (schedule), the worker actor (worker). Ray is imported
only here, and only when --ray is given.

Takes in: jobs and `RaySettings`. Gives out: results handed to pipeline.record.Recorder.
Must not import: archive or the front-ends.
"""
