"""A tiny synthetic SaT model, so that wtpsplit's real SaT code path runs offline in tests.

`build_tiny_sat` writes two folders that `wtpsplit.SaT` loads without the Hugging Face hub:

    SaT(str(model_dir), tokenizer_name_or_path=str(tok_dir), ort_providers=["CPUExecutionProvider"])

- `tok_dir`: a word-level `tokenizers` tokenizer (lowercases; splits on whitespace and isolates
  every punctuation character as its own token, with offsets into the original text), with
  XLM-R's special tokens at XLM-R's ids: <s> 0, <pad> 1, </s> 2, <unk> 3.
- `model_dir`: `config.json` (model type `xlm-token`, one label, like the `sat-*-sm` models) and
  `model_optimized.onnx`, whose logits are a table lookup of each token id: SaT's newline
  probability (sigmoid of logit 0) is `SENTENCE_END` after ".", `PARAGRAPH_END` after "?" and
  `ELSEWHERE` after any other token. wtpsplit puts a token's probability on its last character.

With SaT's defaults (sentence threshold 0.025, or 0.25 when the model path contains "sm";
paragraph_threshold 0.5), `split(text, do_paragraph_segmentation=True)` ends a sentence after
every "." and "?" and a paragraph after every "?".
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")  # XLM-R's ids 0..3
SENTENCE_END = 0.3  # above both default sentence thresholds (0.025, 0.25), below paragraphs' 0.5
PARAGRAPH_END = 0.95  # above the default paragraph_threshold (0.5)
ELSEWHERE = 0.001  # below every default threshold
BOUNDARIES: Mapping[str, float] = {".": SENTENCE_END, "?": PARAGRAPH_END}


def _logit(probability: float) -> float:
    return math.log(probability / (1 - probability))


def _pipeline() -> tuple[Any, Any]:
    """The normalizer and pre-tokenizer, shared by the vocabulary and the tokenizer."""
    from tokenizers import normalizers, pre_tokenizers

    pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()]
    )
    return normalizers.Lowercase(), pre_tokenizer


def tokens_of(texts: Iterable[str]) -> list[str]:
    """The distinct tokens the tiny tokenizer cuts `texts` into (words or whole texts)."""
    normalizer, pre_tokenizer = _pipeline()
    found: set[str] = set()
    for text in texts:
        pieces = pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text))
        found.update(piece for piece, _ in pieces)
    return sorted(found)


def build_tiny_sat(
    folder: Path,
    words: Iterable[str] = (),
    *,
    boundaries: Mapping[str, float] = BOUNDARIES,
    elsewhere: float = ELSEWHERE,
) -> tuple[Path, Path]:
    """Write (model_dir, tok_dir) under `folder`.

    `words` (words or whole texts, cut like the tokenizer cuts them) join the vocabulary; any
    other word becomes <unk>. `boundaries` maps single-token strings to the newline probability
    after them; every other token gets `elsewhere`.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import AddedToken, Tokenizer, models

    for mark in boundaries:
        if tokens_of([mark]) != [mark.lower()]:
            raise ValueError(f"boundary {mark!r} is not a single token of the tiny tokenizer")
    vocab_tokens = sorted((set(tokens_of(words)) | {m.lower() for m in boundaries}) - set(SPECIALS))
    vocab = {token: i for i, token in enumerate([*SPECIALS, *vocab_tokens])}

    tok_dir = folder / "tokenizer"
    tok_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tokenizer.normalizer, tokenizer.pre_tokenizer = _pipeline()
    tokenizer.add_special_tokens([AddedToken(token, special=True) for token in SPECIALS])
    tokenizer.save(str(tok_dir / "tokenizer.json"))
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<s>",
        "cls_token": "<s>",  # wtpsplit wraps every chunk in cls ... sep and pads with pad
        "eos_token": "</s>",
        "sep_token": "</s>",
        "pad_token": "<pad>",
        "unk_token": "<unk>",
        "model_max_length": 512,
    }
    (tok_dir / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2))

    table = np.full((len(vocab), 1), _logit(elsewhere), dtype=np.float32)
    for mark, probability in boundaries.items():
        table[vocab[mark.lower()], 0] = _logit(probability)
    # logits[b, s, 0] = table[input_ids[b, s], 0] * attention_mask[b, s]; the inputs are the
    # names and dtypes wtpsplit's SaTORTWrapper feeds (int64 ids, float16 mask).
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "input_ids"], ["looked_up"], axis=0),
            helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
            helper.make_node("Unsqueeze", ["mask", "last_axis"], ["mask_3d"]),
            helper.make_node("Mul", ["looked_up", "mask_3d"], ["logits"]),
        ],
        "tiny_sat",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info(
                "attention_mask", TensorProto.FLOAT16, ["batch", "sequence"]
            ),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "sequence", 1])],
        initializer=[
            numpy_helper.from_array(table, "table"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "last_axis"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # loadable by older onnxruntime releases too
    onnx.checker.check_model(model)

    model_dir = folder / "model"
    model_dir.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(model_dir / "model_optimized.onnx"))
    # wtpsplit reads model_type ("xlm" in it: subword tokens) and num_labels (from id2label);
    # downsampling_rate and language_adapter default to 1 and "off".
    config = {"model_type": "xlm-token", "id2label": {"0": "LABEL_0"}, "label2id": {"LABEL_0": 0}}
    (model_dir / "config.json").write_text(json.dumps(config, indent=2))
    return model_dir, tok_dir
