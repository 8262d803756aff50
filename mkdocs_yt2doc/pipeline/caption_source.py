"""Where a talk's text comes from (`transcript_from`): a caption file named in talks.yml or the
uploader's captions (`captions`), the platform's speech recognition (`auto-captions`), or
Whisper (`whisper`), tried in order per talk.

Captions written by people beat any Whisper run and need no GPU: a talk transcribed from them
downloads no audio and loads no model. An unusable caption file is a warning naming the talk
and the cause, and the next source is tried.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence

from ..records.errors import Yt2DocError
from ..records.job import Job, Progress
from ..records.media import CaptionTrack
from ..records.talk import Talk
from ..records.transcript import Transcript
from ..sources.caption_read import CAPTION_BYTES, CaptionError, parse_captions, primary_language
from ..sources.caption_read import transcript_from_cues as _transcript
from ..sources.fetch import FetchError, fetch
from .record import Recorder
from .settings import PipelineSettings
from .stages import TalkResult

log = logging.getLogger("mkdocs.plugins.yt2doc")

SOURCES = ("captions", "auto-captions", "whisper")


class CaptionSource:
    def __init__(self, settings: PipelineSettings, recorder: Recorder) -> None:
        self.settings = settings
        self.recorder = recorder

    def take(self, jobs: list[Job], progress: Progress | None) -> list[Job]:
        """Transcribe from captions the talks that have usable ones (stored at once); the
        talks left for Whisper."""
        order = self.settings.transcript_from
        left = []
        for job in jobs:
            started = time.perf_counter()
            transcript, tried = None, []
            for source in order:
                if source == "whisper":
                    break
                try:
                    transcript = self.read(job, source)
                except CaptionError as exc:
                    following = order[order.index(source) + 1 :]
                    then = f"trying {following[0]}" if following else "no source is left"
                    log.warning("yt2doc: %s: %s: %s; %s", job.label, source, exc, then)
                    tried.append(f"{source}: {exc}")
                    continue
                if transcript is not None:
                    break
            if transcript is None:
                if "whisper" in order:
                    left.append(job)
                else:
                    why = "; ".join(tried) or "the talk has none"
                    job.problem = f"no usable captions ({why}), and transcript_from has no whisper"
                    job.failed = True
                    if progress:
                        progress(job, "done")
                continue
            if progress:
                progress(job, "start")
            try:
                self.recorder.record(job, TalkResult(transcript.to_json()))
            except Yt2DocError as exc:
                job.problem, job.failed = str(exc), True
            job.seconds = time.perf_counter() - started
            log.info("yt2doc: %s: transcript from %s", job.label, _described(transcript))
            if progress:
                progress(job, "done")
        return left

    def _fetch(self, url: str, name: str) -> bytes:
        """A caption file by URL, held to the rules of every fetch (`fetch.py`)."""
        try:
            return fetch(
                url,
                limit_bytes=CAPTION_BYTES,
                deadline_s=self.settings.fetch_timeout,
                allowed=self.settings.fetch_allow_networks,
            ).data
        except FetchError as exc:
            raise CaptionError(f"cannot fetch {name}: {exc}") from None

    def read(self, job: Job, source: str) -> Transcript | None:
        """The talk's transcript from one caption source; None: the talk has none there;
        `CaptionError`: it has some, and they cannot be used."""
        assert job.media
        talk = job.talk
        want = primary_language(talk.language or self.settings.whisper.language)
        if source == "captions" and talk.captions:
            name = f"{talk.captions} ({talk.captions_at})"
            data = _read_file(talk) if talk.captions_path else self._fetch(talk.captions, name)
            settings = {
                "source": "captions-file",
                "file": talk.captions,
                "sha256": hashlib.sha256(data).hexdigest()[:16],
            }
        else:
            track = choose_track(job.media.captions, source == "auto-captions", want,
                                 primary_language(job.media.language))  # fmt: skip
            if track is None:
                return None
            name = f"the source's {'automatic ' if track.auto else ''}captions ({track.language})"
            data = self._fetch(track.url, name)
            settings = {"source": source, "captions_language": track.language}
        captions = parse_captions(data, name, job.media.duration)
        if want and captions.language and captions.language != want:
            raise CaptionError(f"{name} is in '{captions.language}', the talk in '{want}'")
        for repair in captions.repairs:
            log.warning("yt2doc: %s: %s: %s", job.label, name, repair)
        language = (
            want
            or captions.language
            or primary_language(settings.get("captions_language"))
            or primary_language(job.media.language)
            or "und"
        )
        return _transcript(captions.cues, language, job.media.duration, settings)


def choose_track(
    tracks: Sequence[CaptionTrack], auto: bool, want: str | None, spoken: str | None
) -> CaptionTrack | None:
    """The source's captions in the talk's language (or the only language there is).

    `CaptionError` when there are captions but none can be chosen. YouTube offers automatic
    captions translated into a hundred languages: its `-orig` track is the one heard."""
    offered = [t for t in tracks if t.auto == auto]
    if not offered:
        return None
    if auto:
        original = [t for t in offered if t.language.endswith("-orig")]
        offered = original + [t for t in offered if t not in original]
    language = want or spoken
    if language:
        matching = [t for t in offered if primary_language(t.language) == language]
        if matching:
            return matching[0]
        if want or len({primary_language(t.language) for t in offered}) > 1:
            languages = ", ".join(sorted({t.language for t in offered}))
            raise CaptionError(
                f"the source's captions are in {_shorten(languages)}, not in '{language}' "
                "(the talk's language:)"
            )
    if auto and offered[0].language.endswith("-orig"):
        return offered[0]
    if len({primary_language(t.language) for t in offered}) == 1:
        return offered[0]
    languages = ", ".join(sorted({t.language for t in offered}))
    raise CaptionError(
        f"the source has captions in several languages ({_shorten(languages)}); set the "
        "talk's language: to choose"
    )


def _shorten(text: str, most: int = 80) -> str:
    return text if len(text) <= most else text[: most - 1].rsplit(",", 1)[0] + ", …"


def _read_file(talk: Talk) -> bytes:
    path = talk.captions_path
    assert path is not None
    where = f"{talk.captions} ({talk.captions_at})"
    try:
        if path.stat().st_size > CAPTION_BYTES:
            raise CaptionError(f"{where} is over {CAPTION_BYTES // 2**20} MiB")
        return bytes(path.read_bytes())
    except FileNotFoundError:
        raise CaptionError(f"no such caption file: {where}") from None
    except IsADirectoryError:
        raise CaptionError(f"{where} is a folder, not a caption file") from None
    except OSError as exc:
        raise CaptionError(f"cannot read {where}: {exc.strerror or exc}") from None


def _described(transcript: Transcript) -> str:
    settings = transcript.settings
    if settings.get("source") == "captions-file":
        return f"the caption file {settings.get('file')}"
    return f"the source's {settings.get('source')} ({settings.get('captions_language')})"
