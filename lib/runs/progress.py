"""How far a run's training has got, per model: epochs finished of those planned, the share of the current epoch,
and its probe loss."""

from __future__ import annotations

from dataclasses import dataclass

from lib.runs.store import Run


@dataclass
class ModelProgress:
    """How far one model of a run is: finished epochs, the share of all its epochs done, and its losses.

    loss is the probe loss (metrics "loss": one fixed sample, the same for both models, so the two compare);
    running_loss is the trainer's own mean over the epoch being trained, which only compares with itself."""

    model: str
    epochs: int  # epochs to train
    finished: int  # epochs finished (vectors and metrics written), not counting the random start
    epoch: int | None = None  # the epoch being trained now, if this model is the one training
    done: float = 0.0  # share of all epochs done, 0..1
    epoch_done: float = 0.0  # share of the current epoch done, 0..1
    loss: float | None = None  # probe loss after the last finished epoch
    running_loss: float | None = None  # the trainer's own running loss of the epoch being trained

    @property
    def text(self) -> str:
        probe = f"probe loss {self.loss:.4f}" if self.loss is not None else ""
        if self.finished >= self.epochs:
            return f"{self.model}: all {self.epochs} epochs done" + (f", {probe}" if probe else "")
        if self.epoch is None:
            return f"{self.model}: {self.finished}/{self.epochs} epochs done" + (f", {probe}" if probe else "")
        parts = [f"{self.model}: epoch {self.epoch}/{self.epochs}"]
        if 0 < self.epoch_done < 1:  # a toy epoch is over before a page polls again: there is no share to say
            parts[0] += f", {self.epoch_done:.0%} of it"
        if self.running_loss is not None:
            parts.append(f"running loss ({self.model}'s own) {self.running_loss:.4f}")
        if probe and self.finished:
            parts.append(f"{probe} after epoch {self.finished}")
        return ", ".join(parts)


def model_progress(run: Run) -> list[ModelProgress]:
    """One ModelProgress per model of the run, from its metrics files and progress.json."""
    epochs = run.train_config.epochs
    live = run.progress() if run.status()["state"] == "training" else {}
    out = []
    for model in run.models:
        metrics = run.metrics(model)
        finished = max(0, len(metrics) - 1)
        probe = metrics[-1].get("loss") if finished else None
        p = ModelProgress(model, epochs, finished, done=finished / epochs, loss=probe)
        if live.get("model") == model and finished < epochs:
            p.epoch = int(live.get("epoch") or finished + 1)
            share = p.epoch_done = float(live.get("done") or 0.0)
            p.done = min(1.0, (p.epoch - 1 + share) / epochs)
            p.running_loss = live.get("loss")
        out.append(p)
    return out
