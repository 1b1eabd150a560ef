"""A deterministic stand-in for the sentence encoder, shared by the topic and stance tests."""

from __future__ import annotations

import hashlib
import re

import numpy as np


class HashingEncoder:
    """A bag-of-words encoder: each lower-cased word hashed to one of `dim` axes, unit rows.

    `calls` records the batch size of every `encode` call.
    """

    name = "test/hashing"
    revision = "0"

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim
        self.calls: list[int] = []

    def encode(self, texts):
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z']+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out
