"""Part of speech in two dimensions: a 2-D embedding and a linear layer learn the tags of toy-pos's ten words.

The model is nn.Embedding(10, 2) -> nn.Linear(2, 4). It trains directly on the ten words (each word -> its tag,
all ten in every step, equal weight), not on corpus tokens: every token of a word carries the same tag, so
token-level training would only weight frequent words more and add sampling noise. Every `record_every` steps the
trajectory keeps each word's 2-D position and the classifier's weights, so a page can replay the training with
the decision regions moving underneath the words.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from lib.data.toys import POS_TAGS

WORDS = tuple(POS_TAGS)  # the, a, woman, dog, apple, book, reads, eats, green, good
TAGS = ("determiner", "noun", "verb", "adjective")
TAG_COLOURS = {"determiner": "#4c78a8", "noun": "#f58518", "verb": "#54a24b", "adjective": "#e45756"}
MAX_SEEDS = 4
MAX_SEED = 2**32 - 1
GIF_FRAME_MS = 120  # one recorded step of the animated GIF


@dataclass(frozen=True)
class PosConfig:
    """One training of the 2-D part-of-speech model."""

    seed: int = 0  # seeds the random start (embedding and linear layer)
    steps: int = 150  # full-batch optimiser steps (all ten words each step)
    lr: float = 0.05  # Adam's learning rate
    record_every: int = 2  # keep positions and weights every this many steps (plus the start and the end)

    def validate(self) -> "PosConfig":
        """Raise ValueError, saying what to change, for settings the trainer cannot use."""
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED} (got {self.seed}).")
        if not 1 <= self.steps <= 5000:
            raise ValueError(f"steps must be between 1 and 5000 (got {self.steps}).")
        if not 0 < self.lr <= 1:
            raise ValueError(f"lr must be in (0, 1]; try 0.05 (got {self.lr}).")
        if not 1 <= self.record_every <= self.steps:
            raise ValueError(f"record_every must be between 1 and steps={self.steps} (got {self.record_every}).")
        return self


@dataclass(frozen=True)
class Trajectory:
    """A recorded training: tidy frames a chart can filter by step."""

    config: PosConfig
    points: pd.DataFrame  # step, word, tag, x, y, predicted, correct (recorded steps only)
    history: pd.DataFrame  # step, loss, accuracy (every step; step 0 is the random start)
    weights: pd.DataFrame  # step, tag, w_x, w_y, bias (recorded steps only)

    @property
    def steps(self) -> list[int]:
        """The recorded steps, 0 (the random start) first."""
        return sorted(self.points["step"].unique().tolist())

    def final(self) -> dict:
        """Loss and accuracy after the last step, and the first step at which every word was tagged right."""
        last = self.history.iloc[-1]
        perfect = self.history.loc[self.history["accuracy"] >= 1.0, "step"]
        return {
            "seed": self.config.seed,
            "step": int(last["step"]),
            "loss": float(last["loss"]),
            "accuracy": float(last["accuracy"]),
            "first step at 100%": int(perfect.iloc[0]) if len(perfect) else None,
        }


class PosModel(nn.Module):
    """A word's 2-D position, then one linear score per tag."""

    def __init__(self, n_words: int = len(WORDS), n_tags: int = len(TAGS)):
        super().__init__()
        self.embedding = nn.Embedding(n_words, 2)
        self.classifier = nn.Linear(2, n_tags)

    def forward(self, word_ids: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.embedding(word_ids))


def tag_ids() -> torch.Tensor:
    """Each word's true tag, as an index into TAGS, in WORDS order."""
    return torch.tensor([TAGS.index(POS_TAGS[w]) for w in WORDS])


def train(cfg: PosConfig) -> Trajectory:
    """Train from a seeded random start and record the trajectory."""
    cfg.validate()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # ten 2-D rows: thread start-up would cost more than the arithmetic
    try:
        with torch.random.fork_rng():  # seed the start without touching the caller's global generator
            torch.manual_seed(cfg.seed)
            model = PosModel()
        return _train(model, cfg)
    finally:
        torch.set_num_threads(threads)


def _train(model: PosModel, cfg: PosConfig) -> Trajectory:
    optimiser = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    words, targets = torch.arange(len(WORDS)), tag_ids()
    loss_fn = nn.CrossEntropyLoss()

    points, history, weights = [], [], []
    for step in range(cfg.steps + 1):
        logits = model(words)
        loss = loss_fn(logits, targets)
        predicted = logits.argmax(1)
        history.append({"step": step, "loss": loss.item(), "accuracy": float((predicted == targets).float().mean())})
        if step % cfg.record_every == 0 or step == cfg.steps:
            _record(model, predicted, step, points, weights)
        if step == cfg.steps:
            break
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return Trajectory(cfg, pd.DataFrame(points), pd.DataFrame(history), pd.DataFrame(weights))


def _record(model: PosModel, predicted: torch.Tensor, step: int, points: list, weights: list) -> None:
    xy = model.embedding.weight.detach().numpy()
    w = model.classifier.weight.detach().numpy()
    b = model.classifier.bias.detach().numpy()
    for i, word in enumerate(WORDS):
        tag = POS_TAGS[word]
        guess = TAGS[int(predicted[i])]
        points.append(
            {
                "step": step,
                "word": word,
                "tag": tag,
                "x": float(xy[i, 0]),
                "y": float(xy[i, 1]),
                "predicted": guess,
                "correct": guess == tag,
            }
        )
    for t, tag in enumerate(TAGS):
        weights.append({"step": step, "tag": tag, "w_x": float(w[t, 0]), "w_y": float(w[t, 1]), "bias": float(b[t])})


# ------------------------------------------------------------ decision regions


def extent(points: pd.DataFrame, margin: float = 0.25) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) holding every recorded position, square, with a margin: one frame for the
    whole animation, so the plane does not jump between steps."""
    cx = (points["x"].max() + points["x"].min()) / 2
    cy = (points["y"].max() + points["y"].min()) / 2
    half = max(points["x"].max() - points["x"].min(), points["y"].max() - points["y"].min(), 1e-6) / 2
    half *= 1 + 2 * margin
    return cx - half, cx + half, cy - half, cy + half


def weight_arrays(weights: pd.DataFrame, step: int) -> tuple[np.ndarray, np.ndarray]:
    """The classifier at a recorded step: W (4 tags × 2) and b (4), rows in TAGS order."""
    rows = weights[weights["step"] == step]
    if rows.empty:
        raise ValueError(f"Step {step} was not recorded; pick one of the recorded steps.")
    rows = rows.set_index("tag").loc[list(TAGS)]
    return rows[["w_x", "w_y"]].to_numpy(), rows["bias"].to_numpy()


def classify(xy: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The tag index the classifier gives each 2-D point (rows of xy)."""
    scores = xy[:, :1] * w[:, 0] + xy[:, 1:2] * w[:, 1] + b  # (points × tags), no BLAS threads for 4 columns
    return np.argmax(scores, axis=1)


def decision_grid(
    weights: pd.DataFrame, step: int, bounds: tuple[float, float, float, float], resolution: int = 48
) -> pd.DataFrame:
    """The plane cut into resolution² cells, each with the tag the classifier of `step` assigns to its centre:
    columns x, x2, y, y2 (cell corners) and tag, ready for a rect layer."""
    x_min, x_max, y_min, y_max = bounds
    xs, ys = np.linspace(x_min, x_max, resolution + 1), np.linspace(y_min, y_max, resolution + 1)
    cx, cy = np.meshgrid((xs[:-1] + xs[1:]) / 2, (ys[:-1] + ys[1:]) / 2)
    w, b = weight_arrays(weights, step)
    tags = classify(np.column_stack([cx.ravel(), cy.ravel()]), w, b)
    ix, iy = np.meshgrid(np.arange(resolution), np.arange(resolution))
    ix, iy = ix.ravel(), iy.ravel()
    return pd.DataFrame({"x": xs[ix], "x2": xs[ix + 1], "y": ys[iy], "y2": ys[iy + 1], "tag": np.asarray(TAGS)[tags]})


# ------------------------------------------------------------ seeds typed by the user


def parse_seeds(text: str, max_seeds: int = MAX_SEEDS) -> list[int]:
    """'0, 1 7' -> [0, 1, 7]; ValueError saying what to fix for an empty list, non-integers or a repeat."""
    tokens = [t for t in re.split(r"[,\s;]+", text or "") if t]
    if not tokens:
        raise ValueError("Enter at least one seed, e.g. 0 (or 0, 1 to compare two starts side by side).")
    seeds = []
    for token in tokens:
        try:
            seed = int(token)
        except ValueError:
            raise ValueError(f"'{token}' is not a whole number: seeds are integers such as 0, 1 or 42.") from None
        if not 0 <= seed <= MAX_SEED:
            raise ValueError(f"Seed {seed} is out of range: use a whole number from 0 to {MAX_SEED}.")
        if seed in seeds:
            raise ValueError(f"Seed {seed} is listed twice: list each seed once.")
        seeds.append(seed)
    if len(seeds) > max_seeds:
        raise ValueError(f"{len(seeds)} seeds is too many to show side by side: list at most {max_seeds}.")
    return seeds


# ------------------------------------------------------------ GIF


def _hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def render_frame(traj: Trajectory, step: int, size: int = 360, bounds=None):
    """One animation frame as a PIL image: a caption, tinted decision regions with the ten words as labelled dots
    (dark ring: classified correctly), and a legend of the tag colours."""
    from PIL import Image, ImageDraw, ImageFont

    bounds = bounds or extent(traj.points)
    x_min, x_max, y_min, y_max = bounds
    header, footer = 28, 24
    # background: classify a coarse grid of cell centres, tint each tag's colour towards white, scale up
    cells = max(1, size // 3)
    px = x_min + (np.arange(cells) + 0.5) / cells * (x_max - x_min)
    py = y_max - (np.arange(cells) + 0.5) / cells * (y_max - y_min)  # image rows run downwards
    gx, gy = np.meshgrid(px, py)
    w, b = weight_arrays(traj.weights, step)
    tags = classify(np.column_stack([gx.ravel(), gy.ravel()]), w, b).reshape(cells, cells)
    palette = np.stack([_hex_rgb(TAG_COLOURS[t]) for t in TAGS])
    tint = (0.25 * palette + 0.75 * 255).astype(np.uint8)
    image = Image.new("RGB", (size, size + header + footer), "white")
    image.paste(Image.fromarray(tint[tags], "RGB").resize((size, size), Image.NEAREST), (0, header))

    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=13)
    frame = traj.points[traj.points["step"] == step]
    for row in frame.itertuples():
        u = (row.x - x_min) / (x_max - x_min) * size
        v = header + (y_max - row.y) / (y_max - y_min) * size
        colour = TAG_COLOURS[row.tag]
        draw.ellipse((u - 5, v - 5, u + 5, v + 5), fill=colour, outline="black" if row.correct else "white")
        draw.text((u + 7, v - 8), row.word, fill="black", font=font)
    left = 6
    for tag in TAGS:  # legend along the bottom
        draw.rectangle((left, size + header + 7, left + 10, size + header + 17), fill=TAG_COLOURS[tag])
        draw.text((left + 14, size + header + 5), tag, fill="black", font=font)
        left += 24 + int(draw.textlength(tag, font=font))
    stats = traj.history[traj.history["step"] == step].iloc[0]
    draw.text(
        (6, 7),
        f"seed {traj.config.seed} · step {step} · loss {stats['loss']:.3f} · accuracy {stats['accuracy']:.0%}",
        fill="black",
        font=font,
    )
    return image


def render_gif(
    traj: Trajectory,
    size: int = 360,
    frame_ms: int = GIF_FRAME_MS,
    hold_ms: int = 1500,
    start: int = 0,
    loop: bool = True,
) -> bytes:
    """The trajectory's recorded steps from `start` on as an animated GIF (bytes); the last frame is held a little
    longer. loop=False plays it once, stopping on the last frame."""
    bounds = extent(traj.points)
    frames = [render_frame(traj, step, size, bounds) for step in traj.steps if step >= start]
    if not frames:
        raise ValueError(f"Step {start} is after the last recorded step, {traj.steps[-1]}.")
    durations = [frame_ms] * (len(frames) - 1) + [hold_ms]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        **({"loop": 0} if loop else {}),
    )
    return buffer.getvalue()
