"""lib.runs.provenance: what a run resolves on the machine, worked out by hand from TrainConfig's documented rules."""

import gensim
import numpy
import pytest
import torch

from lib.config import TrainConfig
from lib.runs.provenance import resolved_settings


@pytest.mark.parametrize(
    "cfg, vocab_size, want",
    [
        # vocabulary × 0.1 / (alpha × 7 rows: input, output, 5 negatives) = 5,000 × 0.1 / 0.175 = 2,857, split over
        # the threads
        (
            TrainConfig(workers=3, device="cpu"),
            5000,
            {"step": "pair", "pytorch_threads": 3, "gensim_workers": 3, "batch_size": 2857, "worker_batch": 952},
        ),
        # 100 × 0.1 / 0.175 = 57, raised to the floor of 256
        (
            TrainConfig(workers=3, device="cpu"),
            100,
            {"step": "pair", "pytorch_threads": 3, "gensim_workers": 3, "batch_size": 256, "worker_batch": 85},
        ),
        (
            TrainConfig(workers=2, device="cpu", optimizer="adam"),
            100_000,
            {"step": "adam", "pytorch_threads": 1, "gensim_workers": 2, "batch_size": 256, "worker_batch": 256},
        ),
        # shared_negatives: 1,000 × 0.1 / 0.175 = 571, and a window step holds twice the pairs
        (
            TrainConfig(workers=1, device="cpu", shared_negatives=True, window=5),
            1000,
            {"step": "window", "pytorch_threads": 1, "gensim_workers": 1, "batch_size": 571, "worker_batch": 1142},
        ),
        (
            TrainConfig(workers=4, device="cpu", deterministic=True),
            10,
            {"step": "pair", "pytorch_threads": 1, "gensim_workers": 1, "batch_size": 256, "worker_batch": 256},
        ),
    ],
)
def test_resolved_settings_follow_the_rules(cfg, vocab_size, want):
    got = resolved_settings(cfg, vocab_size)
    assert {k: got[k] for k in want} == want and got["device"] == "cpu"


def test_auto_device_and_library_versions():
    got = resolved_settings(TrainConfig(device="auto"), 50)
    assert got["device"] == ("cuda" if torch.cuda.is_available() else "cpu")
    assert (got["versions"]["torch"], got["versions"]["gensim"], got["versions"]["numpy"]) == (
        torch.__version__,
        gensim.__version__,
        numpy.__version__,
    )


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(ValueError, match="no CUDA GPU"):
        resolved_settings(TrainConfig(device="cuda"), 50)
