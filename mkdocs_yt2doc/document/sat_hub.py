"""Where a SaT model named on the Hugging Face hub comes from: the local cache, else the hub,
and only when the hub answers a connection within seconds.

Asked blindly, the hub's client retries an unreachable host for about 45 s before it gives
up; a build without network must not wait that long to fall back to the pauses paragrapher.
huggingface_hub is imported only here, and only when SaT is asked for.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..records.errors import Yt2DocError

HUB_PREFIX = "segment-any-text"  # where wtpsplit looks up a model name
TOKENIZER = "facebookAI/xlm-roberta-base"  # SaT's default tokenizer
PROBE_SECONDS = 3.0  # a hub that takes longer to accept a connection counts as unreachable


@dataclass(frozen=True)
class SaTSource:
    """What to hand wtpsplit's SaT: a model (folder or hub name) and a tokenizer."""

    model: str
    tokenizer: str


def sat_source(model: str, tokenizer: str | None) -> SaTSource:
    """The cached copies of a hub model (and of its tokenizer) when both are cached, else the
    hub names once the hub is seen to answer; `Yt2DocError` at once when it does not."""
    try:
        from huggingface_hub import constants, snapshot_download
    except ImportError:  # wtpsplit needs it: its own import says what is missing
        return SaTSource(model, tokenizer or TOKENIZER)

    def cached(repo: str) -> str | None:
        try:
            return str(snapshot_download(repo, local_files_only=True))
        except Exception:  # not cached (LocalEntryNotFoundError), or a broken cache entry
            return None

    repo = model if "/" in model else f"{HUB_PREFIX}/{model}"
    local_model = cached(repo)
    local_tokenizer = tokenizer or cached(TOKENIZER)
    if local_model and local_tokenizer:
        return SaTSource(local_model, local_tokenizer)
    why = "HF_HUB_OFFLINE is set" if constants.HF_HUB_OFFLINE else unreachable(constants.ENDPOINT)
    if why:
        raise Yt2DocError(
            f"cannot load SaT model {model!r}: it is not in the Hugging Face cache "
            f"({constants.HF_HUB_CACHE}) and the hub cannot be reached ({why})"
        )
    return SaTSource(model, tokenizer or TOKENIZER)


def unreachable(endpoint: str, seconds: float = PROBE_SECONDS) -> str | None:
    """Why `endpoint` does not accept a connection within `seconds` (None: it does); a name
    lookup that hangs counts against the same bound."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    port = parts.port or (80 if parts.scheme == "http" else 443)
    outcome: list[str | None] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=seconds).close()
            outcome.append(None)
        except OSError as exc:
            outcome.append(f"{host}:{port}: {exc.strerror or type(exc).__name__}")

    probe = threading.Thread(target=connect, daemon=True)
    probe.start()
    probe.join(seconds)
    return outcome[0] if outcome else f"{host}:{port}: no answer within {seconds:g} s"
