"""Stage: the cache folder (committed by users): paths, atomic JSON files checked against
their schemas, schema versions, the lock.

Takes in: JSON-ready dicts and bytes. Gives out: validated dicts, paths, `StoreError`.
Must not import: another stage (catalog, sources, transcribe, document), pipeline, archive.
"""
