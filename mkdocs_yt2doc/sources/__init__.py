"""Stage: where talks come from. yt-dlp metadata -> `Media`, playlist entries, audio,
thumbnails; caption files (WebVTT, SRT) -> `Transcript`.

Takes in: `Talk`, `Entry`, URLs. Gives out: records.media (`Media`, `Entry`), audio files,
records.transcript.Transcript from captions.
Must not import: another stage (catalog, transcribe, document, cache), pipeline, archive, scale.
"""
