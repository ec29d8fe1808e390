"""Uploaded files (a corpus, analogy questions, categories): checked, and stored under the runs folder by content
hash with their own name, for a training to read."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from lib.data.categories import read_categories
from lib.data.corpora import check_text, decode_text
from lib.data.questions import validate_question_text
from lib.runs.files import atomic_write_bytes
from lib.runs.store import runs_dir

UPLOAD_DIR = ".uploads"  # under the runs folder (list_runs skips "." names): checked uploaded files


MAX_NAME_BYTES = 120  # an upload's stored file name, in UTF-8 bytes (file systems allow 255 bytes, not characters)


def save_upload(data: bytes, filename: str, root: str | os.PathLike | None = None, kind: str = "corpus") -> Path:
    """Check an uploaded corpus ("corpus"), analogy file ("analogies") or category file ("categories") and store it as
    ROOT/.uploads/<content hash>/<file name>, so the run shows the file's own name as its corpus.

    ValueError says what is wrong with it: empty, not UTF-8, no words, over the corpus size cap, analogy lines
    without 4 words, or category lines that are not word<TAB>category. A corpus is checked a piece at a time
    (lib.data.corpora.check_text), never decoded and tokenized whole."""
    if kind == "corpus":
        payload = check_text(data, filename)
    elif kind in ("categories", "analogies"):
        text = decode_text(
            data,
            filename,
            "a word<TAB>category per line"
            if kind == "categories"
            else "analogy questions, 'a b c d' per line under ': section' lines",
        )
        if kind == "categories":
            read_categories(data, filename)
        else:
            validate_question_text(text, filename)
        payload = text.encode("utf-8")
    else:
        raise ValueError(f"kind must be 'corpus', 'analogies' or 'categories' (got {kind!r}).")
    path = runs_dir(root) / UPLOAD_DIR / hashlib.sha256(data).hexdigest()[:16] / stored_name(filename)
    if not path.exists():
        atomic_write_bytes(path, payload)  # makes the folders; StoreError (a ValueError) on a full or read-only disk
    return path.resolve()  # absolute: the trainer runs in the repo root, wherever the app was started


def stored_name(filename: str) -> str:
    """The name an upload is stored under: letters, digits, "_", "." and "-" of its own name (any script; anything
    else becomes "_"), cut to at most MAX_NAME_BYTES bytes of UTF-8 without splitting a character, its extension
    kept."""
    name = Path(filename).name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix.encode()) > 16 or not re.fullmatch(r"\w+", suffix):
        stem, suffix = name, ""  # no extension worth keeping
    suffix = "." + suffix if suffix else ""
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._")
    stem = stem.encode()[: MAX_NAME_BYTES - len(suffix.encode())].decode("utf-8", errors="ignore").rstrip("._")
    return (stem or "upload") + suffix
