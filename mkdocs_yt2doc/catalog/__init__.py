"""Stage: talks.yml -> a `Catalog` of `Talk` records, every error naming the file and line.

Takes in: the talks.yml file. Gives out: records.talk.Catalog.
Must not import: another stage (sources, transcribe, document, cache), pipeline, archive, scale.
"""
