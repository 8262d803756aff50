"""Helpers that several stages share: escaping outside text, names and slugs, timecodes, a
talk's glossary and replacements, talks cut from one recording, byte ranges for `mkdocs serve`.

Takes in: text, numbers and records. Gives out: text and records.
Must not import: the stages, cache, pipeline, archive, scale or the front-ends (only records).
"""
