"""Many talks through the stages: talks.yml items -> jobs (resolve), what the cache holds
(cache_state), the executors (local_run) and the recorder that stores their results
(record, structure), captions as a text source; `Pipeline.run` drives them.

Takes in: a `Catalog` and `PipelineSettings`. Gives out: finished records.job.Job records.
Must not import: archive, scale or the front-ends.
"""
