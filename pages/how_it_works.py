"""How it works: word2vec's pipeline step by step, each step next to the selected run's own settings and numbers."""

import json

import streamlit as st

from lib import charts
from lib.config import ADAM_BATCH, BATCH_PER_WORD, BATCH_RANGE, PACK_RUN, ROW_STEP
from lib.data.pairs import SHUFFLE_BLOCK
from lib.runs import store
from lib.views import explain
from lib.views.evaluate import PROBE_EXAMPLES
from widgets import plain, select_run, vocab


@st.cache_data(max_entries=64, show_spinner="Counting this run's training pairs (once per run; kept with the run)…")
def exact_pairs(path: str, key: str) -> int | None:
    """explain.exact_pairs for the run in path, once per session and server; key: explain.pairs_key as JSON."""
    return explain.exact_pairs(store.Run(path))


st.title("How it works")
st.caption(
    "From raw text to vectors in seven steps. Left: what happens, right: what it came to in the run "
    "selected in the sidebar. Both implementations share steps 1–4 and the evaluation; each trains on its own."
)
run = select_run()
if run is None:
    st.stop()
cfg = run.train_config
voc = vocab(run)
numbers = explain.pipeline_numbers(run, voc)
top = explain.top_words(voc, cfg)


def step(title: str):
    st.subheader(title)
    return st.columns([3, 2], gap="large")


# 1 ------------------------------------------------------------
text, here = step("1. Tokenise")
text.markdown(
    "The text is lowercased and split into words; each line (a paragraph for WikiText-2) is a sentence. "
    "Context windows never cross a sentence end."
)
here.metric("Tokens in the corpus", f"{numbers['tokens']:,}")
here.caption(plain(f"Corpus: {run.config.get('corpus_name')}"))

# 2 ------------------------------------------------------------
text, here = step("2. Build the vocabulary")
text.markdown(
    "Words seen fewer than `min_count` times are dropped (both from the vocabulary and from the text). "
    "The rest are sorted by count; row *i* of every vector file is word *i*."
)
here.metric("Vocabulary", f"{numbers['vocab_size']:,} words", help=f"min_count = {cfg.min_count}")
kept = numbers["vocab_tokens"] / max(1, numbers["tokens"])
here.caption(f"{numbers['vocab_tokens']:,} tokens remain in the text ({kept:.1%}).")

# 3 ------------------------------------------------------------
text, here = step("3. Subsample frequent words")
text.markdown(
    "Every epoch, each occurrence of a frequent word is dropped at random, so *the* and *of* stop "
    "dominating the training and windows reach further. With count $c_w$ and threshold "
    "$t = \\text{sample} \\times \\text{total count}$, an occurrence is kept with probability"
)
text.latex(r"P_\text{keep}(w) = \min\Bigl(1,\ \bigl(\sqrt{c_w / t} + 1\bigr)\, \frac{t}{c_w}\Bigr)")
if cfg.sample > 0:
    here.metric(
        "Tokens kept per epoch (expected)",
        f"{numbers['kept_tokens']:,.0f}",
        help=f"sample = {cfg.sample:g}, so t = {cfg.sample * voc.total:,.1f}",
    )
else:
    here.info("This run has sample = 0: subsampling is off.")
here.dataframe(
    top[["word", "count", "frequency", "discard probability"]],
    hide_index=True,
    width="stretch",
    column_config={
        "frequency": st.column_config.NumberColumn(format="percent"),
        "discard probability": st.column_config.NumberColumn(format="percent"),
    },
)

# 4 ------------------------------------------------------------
text, here = step("4. Skip-gram pairs with a dynamic window")
text.markdown(
    "Each remaining word $w_i$ draws its own window $b_i$ uniformly from $1 \\dots$ `window`, and "
    "becomes the output of one training pair per context word within that reach (near words are thus "
    "used more often than far ones). Skip-gram trains the pair (input = context word, output = centre "
    "word); CBOW averages the context words into one input instead."
)
text.latex(
    r"\bigl(w_{i+j},\ w_i\bigr)\quad\text{for } 0 < |j| \le b_i,\qquad b_i \sim \mathcal{U}\{1,\dots,"
    r"\text{window}\}"
)
text.markdown(
    "On average a word gets window + 1 context words, fewer near a sentence end; short sentences "
    "(and subsampling shortens them further) give far fewer."
)
exact = exact_pairs(str(run.path), json.dumps(explain.pairs_key(run, voc), sort_keys=True))
if exact is None:
    here.metric(
        "Pairs per epoch, at most",
        f"{numbers['expected_pairs']:,.0f}",
        help=f"kept tokens × (window + 1) = {numbers['kept_tokens']:,.0f} × {cfg.window + 1}, as if "
        "sentences never ended",
    )
if exact is not None:
    label = "Examples per epoch (one draw)" if cfg.architecture == "cbow" else "Pairs per epoch (one draw)"
    here.metric(label, f"{exact:,}", help="lib.data.pairs.examples_per_epoch on this run's corpus")
if numbers["measured_pairs"]:
    here.metric("Pairs in the last trained epoch", f"{numbers['measured_pairs']:,}")

# 5 ------------------------------------------------------------
text, here = step("5. Negative sampling")
text.markdown(
    "Instead of a softmax over the whole vocabulary, each pair (input $h$, output $o$) is contrasted "
    "with $K$ = `negative` noise words drawn from the unigram distribution raised to the power "
    "`ns_exponent` (0.75), which lifts rare words and damps the commonest ones:"
)
text.latex(r"P_n(w) = \frac{c_w^{\,0.75}}{\sum_{u} c_u^{\,0.75}}")
text.latex(
    r"\mathcal{L}(h, o) = -\log\sigma\bigl(v'_o\cdot h\bigr) - \sum_{k=1}^{K}\log\sigma\bigl(-v'_{n_k}\cdot h"
    r"\bigr),\qquad n_k \sim P_n"
)
text.markdown(
    "$h$ is the input word's row of `w_in` (the embedding everybody uses), $v'$ rows of `w_out`. "
    "A negative that happens to be the output word is skipped, as in word2vec."
)
text.markdown(
    "word2vec's other objective, **hierarchical softmax** (`loss` = hs, both models), builds a Huffman "
    "tree over the word counts (`lib/model/huffman.py`, as gensim builds it) and predicts $o$ by the left or "
    "right turns on its path from the root: $-\\log P(o \\mid h) = -\\sum_j \\log\\sigma\\bigl("
    "(1 - 2c_j)\\, u_{p_j}\\cdot h\\bigr)$ over the inner nodes $p_j$ and code bits $c_j$; `w_out` then "
    "holds the inner nodes. Full `softmax` is PyTorch only."
)
bars = explain.tidy_words(top, {"frequency": "share of the corpus", "noise probability": "drawn as a negative"})
here.altair_chart(
    charts.word_probability_bars(bars, f"The {len(top)} commonest words, K = {cfg.negative}"), width="stretch"
)

# 6 ------------------------------------------------------------
text, here = step("6. Train, with a decaying learning rate")
text.markdown(
    "With SGD each pair moves the rows it touched along the gradient of $-\\mathcal{L}$ "
    "($\\ell$ = 1 for the output word, 0 for a negative $u$):"
)
text.latex(
    r"g_u = \alpha_t\,\bigl(\ell_u - \sigma(v'_u\cdot h)\bigr),\qquad v'_u \mathrel{+}= g_u\, h,\qquad "
    r"h \mathrel{+}= \textstyle\sum_u g_u\, v'_u"
)
text.markdown("and the learning rate falls linearly over all of training, from `alpha` to `min_alpha`:")
text.latex(r"\alpha_t = \alpha - (\alpha - \alpha_\text{min})\cdot\frac{\text{examples done}}{\text{all examples}}")
rows = cfg.rows_per_example(len(voc))
text.markdown(
    "**Batches (PyTorch).** The PyTorch model computes a batch of examples from the same tables and *sums* "
    "their updates before applying them. word2vec applies them one by one, each seeing the last: a row that "
    "$n$ examples of a batch touch takes one step of $\\alpha_t \\cdot n$ at once where word2vec takes $n$ "
    "small steps that correct each other. Past a point the summed step overshoots and training degrades, then "
    "diverges. So `batch_size` = 0 picks the batch from what one example touches: "
    f"here {rows:.3g} table rows (its input word{'s' if cfg.architecture == 'cbow' else ''}, then "
    + {
        "negative": f"the output word and {cfg.negative} negatives",
        "hs": "the inner nodes on the output word's Huffman path, about log₂ V",
        "softmax": "the output word's row",
    }[cfg.loss]
    + f"), so that an average row's summed step, alpha × the updates it gets in one batch, is {ROW_STEP:g}: "
    f"V × {ROW_STEP:g} / (alpha × {rows:.3g}) = {cfg.row_step_batch(len(voc)):,.0f} examples, at most "
    f"{BATCH_PER_WORD} per vocabulary word and kept within {BATCH_RANGE[0]:,} … {BATCH_RANGE[1]:,} (Adam: "
    f"{ADAM_BATCH}). A larger learning rate, more negatives or wider "
    "CBOW windows give smaller batches; a large vocabulary spreads a batch over more rows and allows larger "
    "ones.\n\n"
    "**Shuffled, in blocks.** word2vec walks the text in order and applies each update at once. A batch in "
    "text order would hold a few hundred consecutive words of one article, so a topical word (*route* in an "
    "article about a road) would get dozens of summed updates at once and its vector would jump; on WikiText-2 "
    "that made 10-epoch runs diverge. So every epoch the PyTorch model shuffles its examples in blocks of "
    f"{SHUFFLE_BLOCK:,} (a block keeps its stretch of text, which measured better on WordSim353 than mixing "
    "single pairs, and its rows stay in the CPU cache).\n\n"
    "**Worker threads (PyTorch on a CPU).** Like gensim's workers, `workers` threads take turns at the batches "
    'and update the shared tables without locks ("Hogwild!"); their batches are in flight together, so each '
    "thread's batch is the batch size ÷ workers. Thread timing then changes the result slightly from run to run; "
    "`deterministic` runs both models on one thread, and the same seed then gives the same vectors.\n\n"
    "**`shared_negatives` (PyTorch speed option).** Normally each (context, centre) pair draws its own $K$ "
    "negatives. With this option a centre word's whole window shares one set of $K$ negatives, so the window's "
    "scores become one small matrix product $H_{(2b)\\times d}\\,[v'_o, v'_{n_1} \\dots v'_{n_K}]^\\top$ and each "
    "output row is read once per window instead of once per pair. It changes the sampling slightly (the negatives "
    "of neighbouring pairs are no longer independent); in our comparisons the quality stayed within run-to-run "
    "noise. A batch then holds twice the batch size in pairs, since a window updates its output rows once for "
    f"all its pairs; within runs of {PACK_RUN:,} windows the windows are sorted by how far they reach, so a "
    "batch can skip the padding none of its windows use, and then cut so that each batch holds that many "
    "pairs. The other speed option, "
    "`batch_negatives` = S, goes further: one pool of S negatives for a whole batch, each weighted K / S, so a "
    "batch's negative scores are one matrix product; every drawn negative then collects a whole batch's updates "
    "at once, which diverges unless batch × K / S is small, and on this CPU it was not faster."
)
b = numbers
here.metric("PyTorch batch", f"{b['batch']:,} pairs", help=b["why"])
if b["threads"] > 1:
    here.caption(
        f"On a CPU: {b['threads']} worker threads, each step "
        + (f"{b['per_thread']:,} examples." if b["per_thread"] else f"{b['pairs_per_window_step']:,} pairs.")
    )
if b["shared"]:
    here.caption(f"{b['why']}; shared_negatives is on: {b['pairs_per_window_step']:,} pairs per step.")
elif b["batch_negatives"]:
    here.caption(f"{b['why']}; batch_negatives = {b['batch_negatives']}: one pool of negatives per batch.")
else:
    here.caption(
        f"{b['why']}; each pair draws its own {cfg.negative} negatives." if cfg.loss == "negative" else b["why"] + "."
    )
ran, versions = b["ran"], b["ran"]["versions"]
here.caption(
    ("Recorded with the run" if ran["recorded"] else "Not recorded with this older run, so worked out on this machine")
    + f": PyTorch on {ran['device']} with {ran['pytorch_threads']} thread(s) and step "
    f'"{ran["step"]}", gensim with {ran["gensim_workers"]} worker(s); torch {versions["torch"]}, '
    f"gensim {versions['gensim']}, numpy {versions['numpy']}."
)
if cfg.optimizer == "sgd":
    here.dataframe(
        explain.learning_rates(cfg),
        hide_index=True,
        width="stretch",
        height=min(320, 36 * (cfg.epochs + 2)),
        column_config={"learning rate": st.column_config.NumberColumn(format="%.5f", help="at the start of the epoch")},
    )
else:
    here.info(f"This run's PyTorch model uses Adam (learning rate {cfg.adam_lr:g}); gensim always uses SGD.")

# 7 ------------------------------------------------------------
text, here = step("7. Evaluate after every epoch")
text.markdown(
    f"After each epoch (and at epoch 0, the random start) both models' `w_in` vectors are saved and measured the "
    f"same way: the loss above on a fixed probe of {PROBE_EXAMPLES:,} pairs with fixed negatives, the designed "
    "neighbours for toy languages (*neighbour precision*: how many of a word's true neighbours are among its "
    "nearest vectors), and for natural text the Google analogies (3CosAdd) and WordSim353 (Spearman's ρ)."
)
text.latex(
    r"\cos(u, v) = \frac{u\cdot v}{\lVert u\rVert\,\lVert v\rVert},\qquad a : b = c : "
    r"\arg\max_{x\notin\{a,b,c\}} \cos\bigl(x,\ b - a + c\bigr)"
)
last = {m: (run.metrics(m) or [{}])[-1] for m in run.models}
for model, m in last.items():
    if m.get("loss") is not None:
        here.metric(f"{model}: probe loss at epoch {m['epoch']}", f"{m['loss']:.4f}")
