"""The pipeline's own decisions, fast: stand-in Whisper (a scripted transcript), the real
store, fallback paragrapher, offline segmenter and document code. What is transcribed, what is
only rebuilt, what an executor's results become, and how failures are kept for `status`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.pipeline.record import Recorder
from mkdocs_yt2doc.pipeline.run import Pipeline
from mkdocs_yt2doc.pipeline.settings import PipelineSettings
from mkdocs_yt2doc.pipeline.stages import Stages, TalkResult, TalkTask
from mkdocs_yt2doc.records.job import Job, Progress
from mkdocs_yt2doc.records.settings import LLMSettings, ParagraphSettings, WhisperSettings
from mkdocs_yt2doc.records.transcript import Segment, Transcript, Word
from mkdocs_yt2doc.transcribe.whisper import TranscribeError

SENTENCES = [f"Sentence number {n} says something about topic {n // 4}." for n in range(24)]


def scripted_transcript() -> Transcript:
    segments, t = [], 0.0
    for text in SENTENCES:
        words = []
        for token in text.split():
            words.append(Word(t, t + 0.4, " " + token, 0.9))
            t += 0.5
        segments.append(Segment(words[0].start, words[-1].end, text, tuple(words)))
        t += 1.0
    return Transcript("en", t, tuple(segments), settings={"model": "scripted"})


class ScriptedStages(Stages):
    """Stages whose Whisper is a script: every talk says SENTENCES (or fails, when told)."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__(WhisperSettings(), ParagraphSettings(sat_model=None), LLMSettings())
        self.fail = fail
        self.transcribed: list[str] = []

    def transcribe(self, task: TalkTask, audio: Path) -> Transcript:
        self.transcribed.append(task.key)
        if self.fail:
            raise TranscribeError(f"{task.label}: the scripted Whisper was told to fail")
        return scripted_transcript()


def project(tmp_path: Path, talks: str) -> tuple[PipelineSettings, Path]:
    (tmp_path / "talk.wav").write_bytes(b"")  # never decoded: Whisper is scripted
    (tmp_path / "talks.yml").write_text(talks)
    settings = PipelineSettings(cache_dir=tmp_path / ".yt2doc", project=tmp_path)
    return settings, tmp_path / "talks.yml"


def run(settings: PipelineSettings, talks: Path, stages: Stages, **kwargs: Any) -> list[Job]:
    pipeline = Pipeline(settings, stages=stages)
    return pipeline.run(settings.load_catalog(talks), **kwargs)


TALK = "talks:\n  - url: talk.wav\n    title: A talk\n"


def test_a_talk_is_transcribed_once_then_read_from_the_cache(tmp_path: Path) -> None:
    settings, talks = project(tmp_path, TALK)
    stages = ScriptedStages()
    [job] = run(settings, talks, stages)
    assert stages.transcribed == [job.key] and job.document is not None
    folder = settings.cache_dir / str(job.key)
    names = {p.name for p in folder.iterdir()}
    assert {"media.json", "transcript.json", "paragraphs.json", "topics.json", "document.json",
            "captions.srt", "captions.vtt"} <= names  # fmt: skip
    text = " ".join(p.text for p in job.document.paragraphs)
    assert text == " ".join(SENTENCES)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    again = ScriptedStages()
    [cached] = run(settings, talks, again)
    assert again.transcribed == [] and cached.document == job.document
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_new_chapters_rebuild_only_the_document(tmp_path: Path) -> None:
    settings, talks = project(tmp_path, TALK)
    [job] = run(settings, talks, ScriptedStages())
    folder = settings.cache_dir / str(job.key)
    transcript = (folder / "transcript.json").read_bytes()
    paragraphs = (folder / "paragraphs.json").read_bytes()
    talks.write_text(TALK + "    chapters:\n      - {start: 0, title: One}\n"
                     "      - {start: '0:30', title: Two}\n")  # fmt: skip
    stages = ScriptedStages()
    [rebuilt] = run(settings, talks, stages)
    assert stages.transcribed == []
    assert rebuilt.document and [c.title for c in rebuilt.document.chapters] == ["One", "Two"]
    assert rebuilt.document.chapter_origin == "yaml"
    assert (folder / "transcript.json").read_bytes() == transcript
    assert (folder / "paragraphs.json").read_bytes() == paragraphs


@pytest.mark.parametrize(("refresh", "transcribed"), [("all", 1), ("structure", 0)])
def test_refresh_redoes_what_it_names(tmp_path: Path, refresh: str, transcribed: int) -> None:
    settings, talks = project(tmp_path, TALK)
    [job] = run(settings, talks, ScriptedStages())
    paragraphs = settings.cache_dir / str(job.key) / "paragraphs.json"
    edited = paragraphs.read_text().replace('"pauses-v2"', '"edited"')
    assert '"edited"' in edited
    paragraphs.write_text(edited)
    stages = ScriptedStages()
    run(settings, talks, stages, refresh=refresh)
    assert len(stages.transcribed) == transcribed
    assert json.loads(paragraphs.read_text())["paragrapher"] == "pauses-v2"  # made again


def test_never_renders_placeholders_and_writes_nothing(tmp_path: Path) -> None:
    settings, talks = project(tmp_path, TALK)
    never = PipelineSettings(cache_dir=settings.cache_dir, transcribe="never", project=tmp_path)
    stages = ScriptedStages()
    [job] = run(never, talks, stages)
    assert stages.transcribed == [] and job.document is None
    assert job.problem == "not transcribed yet (transcribe: never)"
    assert not settings.cache_dir.exists()


def test_a_failure_is_kept_for_status_and_cleared_by_a_success(tmp_path: Path) -> None:
    settings, talks = project(tmp_path, TALK)
    [failed] = run(settings, talks, ScriptedStages(fail=True))
    assert failed.failed and "told to fail" in str(failed.problem)
    failures = json.loads((settings.cache_dir / "failures.json").read_text())["talks"]
    assert failures["talk.wav"]["where"] == "talks.yml:2"
    [done] = run(settings, talks, ScriptedStages())
    assert done.document is not None
    assert json.loads((settings.cache_dir / "failures.json").read_text())["talks"] == {}


class ElsewhereExecutor:
    """An executor whose 'worker' made the paragraphs itself: they are stored as made."""

    def __init__(self) -> None:
        self.progress: list[str] = []

    def process(self, recorder: Recorder, jobs: list[Job], progress: Progress | None) -> None:
        for job in jobs:
            task = recorder.task(job)
            assert task.topics  # no chapters given: the worker is asked for topics
            transcript = scripted_transcript()
            made = {"paragrapher": "elsewhere", "settings": {},
                    "paragraphs": [{"start": 0.0, "end": transcript.duration,
                                    "text": " ".join(SENTENCES), "first_word": 0,
                                    "last_word": len(transcript.words) - 1}]}  # fmt: skip
            recorder.record(job, TalkResult(transcript.to_json(), paragraphs=made))
            if progress:
                progress(job, "done")


def test_an_executor_hands_results_to_the_one_recorder(tmp_path: Path) -> None:
    settings, talks = project(tmp_path, TALK)
    seen: list[str] = []
    pipeline = Pipeline(settings, ElsewhereExecutor(), stages=ScriptedStages())
    [job] = pipeline.run(settings.load_catalog(talks), progress=lambda j, e: seen.append(e))
    # the pipeline announces the talks (captions are tried first), the executor reports them
    assert seen == ["queued", "done"] and pipeline.counts["transcriptions"] == 1
    stored = json.loads((settings.cache_dir / str(job.key) / "paragraphs.json").read_text())
    assert stored["paragrapher"] == "elsewhere"
    assert job.document is not None and len(job.document.paragraphs) == 1
