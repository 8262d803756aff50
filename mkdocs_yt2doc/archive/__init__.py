"""Finished jobs -> the archive's files: talk views (with corrections laid over them), Markdown
pages, the player, the search page, navigation groups, the files written out, Pagefind's index.

Takes in: records.job.Job and the cache. Gives out: `TalkView`s and `ArchiveFile`s.
Must not import: pipeline, scale or the front-ends.
"""
