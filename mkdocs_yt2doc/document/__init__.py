"""Stage: transcript words -> paragraphs, topics (offline segmenter or an LLM), chapters, the
`Document` of a page, and caption cues and files.

Takes in: records.transcript, records.talk (chapter marks), records.media. Gives out:
records.document (`Paragraph`, `Topics`, `Document`) and caption text.
Must not import: another stage (catalog, sources, transcribe, cache), pipeline, archive, scale.
"""
