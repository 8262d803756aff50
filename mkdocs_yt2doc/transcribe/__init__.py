"""Stage: speech -> `Transcript`, with faster-whisper or whisper.cpp (and the checks of a
whisper.cpp model file). The model libraries are imported only when a talk is transcribed.

Takes in: an audio file and `WhisperSettings`. Gives out: records.transcript.Transcript.
Must not import: another stage (catalog, sources, document, cache), pipeline, archive, scale.
"""
