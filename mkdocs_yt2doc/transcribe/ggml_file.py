"""A whisper.cpp model file checked before whisper.cpp sees it, and its tokenizer.

whisper.cpp trusts its file: a truncated one loads as an empty model that transcribes
nothing, and absurd sizes abort the process or exhaust memory (a whole prefetch lost). So
the file's structure (whisper.cpp's ggml layout: magic, hparams, mel filters, vocabulary,
tensors) is walked here first, without reading the weights, and any fault is a `GgmlError`
saying what is wrong. The vocabulary it reads counts tokens as whisper.cpp splits them.
"""

from __future__ import annotations

import mmap
import re
import struct
from dataclasses import dataclass
from pathlib import Path

MAGIC = 0x67676D6C  # "ggml"
# bytes per block and values per block of the tensor types whisper.cpp's quantize writes
_TYPES = {0: (4, 1), 1: (2, 1), 2: (18, 32), 3: (20, 32), 6: (22, 32), 7: (24, 32),
          8: (34, 32), 10: (84, 256), 11: (110, 256), 12: (144, 256), 13: (176, 256),
          14: (210, 256)}  # fmt: skip
_HPARAMS = ("n_vocab", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer",
            "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer", "n_mels",
            "ftype")  # fmt: skip
_LIMITS = {"n_vocab": 1 << 17, "n_audio_ctx": 1500, "n_text_ctx": 448, "n_mels": 128,
           "n_audio_state": 8192, "n_text_state": 8192, "n_audio_head": 128,
           "n_text_head": 128, "n_audio_layer": 128, "n_text_layer": 128}  # fmt: skip
# whisper.cpp's word split (whisper.cpp `tokenize`), then the longest known token, greedily
_WORDS = re.compile(
    rb"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+"
)


class GgmlError(ValueError):
    """The file is not a whole whisper.cpp model; the message says why."""


@dataclass(frozen=True)
class GgmlModel:
    path: Path
    hparams: dict[str, int]
    tokens: dict[bytes, int]  # the vocabulary, as whisper.cpp stores it

    @property
    def multilingual(self) -> bool:
        return self.hparams["n_vocab"] >= 51865

    def token_count(self, text: str) -> int:
        """How many tokens whisper.cpp makes of `text`."""
        count = 0
        longest = max(map(len, self.tokens), default=1)
        for word in _WORDS.findall(text.encode()):
            i = 0
            while i < len(word):
                j = min(len(word), i + longest)
                while j > i + 1 and word[i:j] not in self.tokens:
                    j -= 1
                count, i = count + 1, j
        return count


def expected_tensors(hparams: dict[str, int]) -> int:
    """Tensors of a Whisper model: 15 per encoder block, 24 per decoder block, 11 others."""
    return 11 + 15 * hparams["n_audio_layer"] + 24 * hparams["n_text_layer"]


def read_ggml(path: Path) -> GgmlModel:
    """The model's header, vocabulary and tensor table, checked against the file's size."""
    with path.open("rb") as handle:
        size = path.stat().st_size
        if size < 64:
            raise GgmlError(f"it has only {size} bytes")
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _parse(path, data, size)


def _parse(path: Path, data: mmap.mmap, size: int) -> GgmlModel:
    def ints(offset: int, count: int) -> tuple[int, ...]:
        if offset + 4 * count > size:
            raise GgmlError(f"it is truncated (it ends at byte {size})")
        return struct.unpack_from(f"<{count}i", data, offset)

    if ints(0, 1)[0] != MAGIC:
        raise GgmlError("it does not start like a ggml model (wrong magic number)")
    hparams = dict(zip(_HPARAMS, ints(4, 11), strict=True))
    for param, limit in _LIMITS.items():
        if not 0 < hparams[param] <= limit:
            raise GgmlError(f"its {param} is {hparams[param]} (a Whisper model has 1 to {limit})")
    n_mel, n_fft = ints(48, 2)
    if n_mel != hparams["n_mels"] or n_fft != 201:
        raise GgmlError(f"its mel filters are {n_mel}x{n_fft}, not {hparams['n_mels']}x201")
    offset = 56 + 4 * n_mel * n_fft
    (n_tokens,) = ints(offset, 1)
    if not 0 <= n_tokens <= hparams["n_vocab"]:
        raise GgmlError(f"it declares {n_tokens} tokens for a vocabulary of {hparams['n_vocab']}")
    offset += 4
    tokens: dict[bytes, int] = {}
    for index in range(n_tokens):
        (length,) = ints(offset, 1)
        if not 0 <= length <= 1024 or offset + 4 + length > size:
            raise GgmlError(f"token {index} is damaged (length {length}) or the file truncated")
        tokens.setdefault(bytes(data[offset + 4 : offset + 4 + length]), index)
        offset += 4 + length
    found = 0
    while offset < size:
        n_dims, name_length, kind = ints(offset, 3)
        if not (1 <= n_dims <= 4 and 0 < name_length <= 256 and kind in _TYPES):
            raise GgmlError(f"tensor {found} has a damaged header at byte {offset}")
        dims = ints(offset + 12, n_dims)
        name = bytes(data[offset + 12 + 4 * n_dims : offset + 12 + 4 * n_dims + name_length])
        elements = 1
        for dim in dims:
            elements *= dim
        block_bytes, block = _TYPES[kind]
        if min(dims) <= 0 or elements % block:
            raise GgmlError(f"tensor {name.decode(errors='replace')!r} has a damaged shape")
        offset += 12 + 4 * n_dims + name_length + elements // block * block_bytes
        if offset > size:
            raise GgmlError(
                f"it is truncated: tensor {name.decode(errors='replace')!r} ends at byte "
                f"{offset}, the file at {size}"
            )
        found += 1
    if found != expected_tensors(hparams):
        raise GgmlError(
            f"it holds {found} tensors, a Whisper model of its size {expected_tensors(hparams)} "
            "(truncated or damaged)"
        )
    return GgmlModel(path, hparams, tokens)
