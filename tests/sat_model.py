"""A tiny synthetic SaT model, so that wtpsplit's real SaT code path runs offline in tests.

The ONNX graph looks each token up in a table of newline logits: after "." a moderate
probability (a sentence ends), after "?" a high one (a paragraph ends), elsewhere almost none.
The tokenizer is a word-level one built with `tokenizers`, shaped like XLM-R's special tokens.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # XLM-R's ids 0..3


def _logit(probability: float) -> float:
    return math.log(probability / (1 - probability))


def build_tiny_sat(folder: Path, words: Iterable[str] = ()) -> tuple[Path, Path]:
    """Write (model_dir, tokenizer_dir) under `folder`; `words` join the vocabulary."""
    import onnx
    from onnx import TensorProto, helper
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab_words = sorted({w.lower() for w in words} | {".", "?", ",", "!"})
    vocab = {token: i for i, token in enumerate(SPECIALS + vocab_words)}
    tok_dir = folder / "tokenizer"
    tok_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tokenizer.normalizer = None
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()]
    )
    from tokenizers import normalizers

    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.save(str(tok_dir / "tokenizer.json"))
    (tok_dir / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "PreTrainedTokenizerFast",
                "bos_token": "<s>",
                "cls_token": "<s>",
                "eos_token": "</s>",
                "sep_token": "</s>",
                "pad_token": "<pad>",
                "unk_token": "<unk>",
                "model_max_length": 512,
            }
        )
    )

    table = np.full((len(vocab), 1), _logit(0.001), dtype=np.float32)
    table[vocab["."], 0] = _logit(0.3)  # above SaT's sentence threshold, below paragraph's
    table[vocab["?"], 0] = _logit(0.95)  # above paragraph_threshold (0.5)
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "input_ids"], ["looked_up"], axis=0),
            helper.make_node("Cast", ["attention_mask"], ["mask32"], to=TensorProto.FLOAT),
            helper.make_node("Unsqueeze", ["mask32", "last"], ["mask3"]),
            helper.make_node("Mul", ["looked_up", "mask3"], ["logits"]),
        ],
        "tiny_sat",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.FLOAT16, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "seq", 1])],
        initializer=[
            onnx.numpy_helper.from_array(table, "table"),
            onnx.numpy_helper.from_array(np.array([2], dtype=np.int64), "last"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    model_dir = folder / "model"
    model_dir.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(model_dir / "model_optimized.onnx"))
    (model_dir / "config.json").write_text(
        json.dumps(
            {
                "model_type": "xlm-token",
                "architectures": ["SubwordXLMForTokenClassification"],
                "num_labels": 1,
                "id2label": {"0": "LABEL_0"},
                "label2id": {"LABEL_0": 0},
                "vocab_size": len(vocab),
                "hidden_size": 8,
                "num_hidden_layers": 1,
                "num_attention_heads": 1,
                "intermediate_size": 8,
                "max_position_embeddings": 514,
                "pad_token_id": 1,
                "bos_token_id": 0,
                "eos_token_id": 2,
                "lookahead": None,
                "lookahead_split_layers": None,
            }
        )
    )
    return model_dir, tok_dir
