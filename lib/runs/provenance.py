"""What a run ran with: the settings TrainConfig leaves to the machine, resolved, and the library versions."""

from __future__ import annotations

import platform

from lib.config import TrainConfig


def library_versions() -> dict[str, str]:
    import gensim
    import numpy
    import torch

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "gensim": gensim.__version__,
        "numpy": numpy.__version__,
    }


def resolved_settings(cfg: TrainConfig, vocab_size: int) -> dict:
    """The values a run resolves on this machine (workers 0, device "auto", batch_size 0), as the trainers do;
    ValueError when the machine cannot give what cfg asks for (device "cuda" without a GPU)."""
    from lib.model.torch_trainer import (
        resolve_device,  # imports torch: only when a run is made or an old run is explained
    )

    device = resolve_device(cfg.device).type
    step = cfg.pytorch_step()
    workers = cfg.resolved_workers()
    threads = cfg.pytorch_threads(device)
    return {
        "device": device,
        "step": step,
        "gensim_workers": workers,
        "pytorch_threads": threads,
        "batch_size": cfg.resolved_batch_size(vocab_size),
        "worker_batch": cfg.worker_batch(vocab_size, threads),
        "versions": library_versions(),
    }
