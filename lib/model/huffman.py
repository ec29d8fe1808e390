"""The Huffman tree of hierarchical softmax: each word's path (inner nodes) and code (left/right turns).

Built as gensim builds it (gensim.models.word2vec._build_heap / _assign_binary_codes, after word2vec.c's
CreateBinaryTree): repeatedly merge the two least frequent nodes; inner node i (0 … V-2, in merge order) is row i
of the output table, so frequent words get short codes. A word's probability is the product, along its path, of
σ(h·u_point) where the code bit is 0 and σ(−h·u_point) where it is 1.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np


class _Node:
    """A heap entry compared by count only, as gensim's Heapitem is (so ties break the same way)."""

    __slots__ = ("count", "index", "left", "right")

    def __init__(self, count: int, index: int, left=None, right=None):
        self.count, self.index, self.left, self.right = count, index, left, right

    def __lt__(self, other: "_Node") -> bool:
        return self.count < other.count


@dataclass(frozen=True)
class HuffmanTree:
    """Paths padded to the longest one: points[w, j] is the j-th inner node on word w's path (root first),
    codes[w, j] its bit, mask[w, j] whether position j is on the path at all."""

    points: np.ndarray  # (V, L) int64, inner-node rows 0 … V-2 (0 where masked)
    codes: np.ndarray  # (V, L) uint8, 0 or 1
    mask: np.ndarray  # (V, L) bool

    @classmethod
    def build(cls, counts: np.ndarray) -> "HuffmanTree":
        """The tree for word counts in vocabulary order (most frequent first, as both models store them)."""
        n = len(counts)
        heap = [_Node(int(c), i) for i, c in enumerate(counts)]
        heapq.heapify(heap)
        for i in range(n - 1):
            a, b = heapq.heappop(heap), heapq.heappop(heap)
            heapq.heappush(heap, _Node(a.count + b.count, n + i, a, b))
        paths: list = [None] * n
        stack = [(heap[0], [], [])] if n else []
        while stack:
            node, code, point = stack.pop()
            if node.index < n:
                paths[node.index] = (code, point)
            else:
                point = point + [node.index - n]
                stack.append((node.left, code + [0], point))
                stack.append((node.right, code + [1], point))
        longest = max((len(c) for c, _ in paths), default=0)
        points, codes = np.zeros((n, longest), np.int64), np.zeros((n, longest), np.uint8)
        mask = np.zeros((n, longest), bool)
        for w, (code, point) in enumerate(paths):
            points[w, : len(point)], codes[w, : len(code)], mask[w, : len(code)] = point, code, True
        return cls(points, codes, mask)

    def path(self, word: int) -> tuple[np.ndarray, np.ndarray]:
        """(code, point) of one word, unpadded, in gensim's vecattr format (uint8, uint32)."""
        m = self.mask[word]
        return self.codes[word, m].astype(np.uint8), self.points[word, m].astype(np.uint32)

    def loss(self, h: np.ndarray, w_out: np.ndarray, outputs: np.ndarray) -> np.ndarray:
        """−log P(output | h) for each row of h (float64): Σ along the path of softplus(−(1 − 2·code)·h·u_point)."""
        u = w_out[self.points[outputs]]  # (P, L, d)
        scores = np.einsum("pld,pd->pl", u, h)  # (P, L)
        sign = 1.0 - 2.0 * self.codes[outputs]
        return (np.logaddexp(0, -sign * scores) * self.mask[outputs]).sum(1)
