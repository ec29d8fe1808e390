"""One training step: the PyTorch trainer's own update on one pair, from a run's saved epoch, checked by autograd,
repeated ×1/×10/×100, with gensim's own train on the same pair beside it."""

import numpy as np
import pandas as pd
import streamlit as st
import torch

import widgets
from lib import charts
from lib.model.huffman import HuffmanTree
from lib.runs.store import Run
from lib.views import one_step, step_gensim, step_measures, step_pair
from lib.views.one_step import ARCHITECTURES, OBJECTIVES


@st.cache_resource(max_entries=4, show_spinner=False)
def noise_table(path: str, exponent: float) -> torch.Tensor:
    """The run's unigram table of negatives (4M ids: worth building once per run)."""
    return one_step.noise_table(widgets.vocab(Run(path)), exponent)


@st.cache_resource(max_entries=4, show_spinner=False)
def huffman_tree(path: str) -> HuffmanTree:
    return HuffmanTree.build(widgets.vocab(Run(path)).counts)


@st.cache_resource(max_entries=4, show_spinner=False)
def gensim_start(path: str, objective: str, architecture: str, negative: int):
    """The untrained gensim model a step starts from (its vocabulary and Huffman tree: built once per setting);
    step_gensim.gensim_steps copies it before training, so it is never changed."""
    return step_gensim.gensim_start(Run(path), objective, architecture, negative)


@st.cache_data(max_entries=8, show_spinner=False)
def default_pair(path: str) -> tuple[str, str]:
    return step_pair.default_pair(Run(path))


def _redraw() -> None:
    st.session_state["step_draw"] = st.session_state.get("step_draw", 0) + 1


st.title("One training step")
run = widgets.select_run()
if run is None:
    st.stop()
st.info(
    "Pick a pair and watch one SGD update from inside: the output word's row is pulled towards h and h towards "
    "it (g > 0), each negative's row is pushed away from h (g < 0), and the loss of the pair falls. Repeat the "
    "step ×100 to see the pair's probability climb, h turn towards the output word's row and away from the first "
    "step's negatives. Over a few steps a cosine can dip while the rows grow longer: what every step raises is "
    "the score s = h·u.",
    icon=":material/visibility:",
)
cfg, vocab = run.train_config, widgets.vocab(run)
has_pytorch, has_gensim = "pytorch" in run.models, "gensim" in run.models
model = "pytorch" if has_pytorch else "gensim"
if not has_pytorch:
    st.info(
        "This run has no PyTorch model, so there is no hand-written step to open: gensim's side is shown alone, "
        "trained on the pair with its own train."
    )
epoch = widgets.epoch_slider(run)
if epoch is None:
    st.stop()
if why := widgets.missing_epoch(run, model, epoch):
    st.info(widgets.plain(why + " Pick another epoch."))
    st.stop()

kept = run.out_epochs(model)
if epoch not in kept and epoch != 0:
    st.info(
        widgets.plain(
            f"This run was saved before output weights were kept ({model} has them for epochs "
            f"{widgets.epoch_range(kept)}), and a step needs them: showing epoch 0, where both trainers "
            "start them at zero. Train the run again to step from any epoch."
        )
    )
    epoch = 0

objectives = list(OBJECTIVES)
widgets.drop_invalid("step_objective", objectives)
controls = st.columns([1.6, 1, 1, 1])
objective = controls[0].radio(
    "Objective",
    objectives,
    index=objectives.index(cfg.loss),
    format_func=OBJECTIVES.get,
    horizontal=True,
    key="step_objective",
    bind=widgets.URL,
    help="The run's own by default. Another objective starts from the run's input vectors; "
    "its output rows start where training would start them if the run kept others.",
)
architecture = controls[1].radio(
    "Architecture",
    list(ARCHITECTURES),
    index=list(ARCHITECTURES).index(cfg.architecture),
    format_func=ARCHITECTURES.get,
    horizontal=True,
    key="step_arch",
    bind=widgets.URL,
)
at_epoch = float(cfg.learning_rate(epoch / cfg.epochs)) if cfg.epochs else cfg.alpha
lr = controls[2].number_input(
    "Learning rate",
    min_value=1e-5,
    max_value=1.0,
    value=float(cfg.alpha),
    step=0.005,
    format="%.5f",
    key="step_lr",
    help=f"The run's starting rate alpha. The trainer's rate after epoch {epoch} was "
    f"{at_epoch:.5f} (linear from alpha to min_alpha): a step there moves less.",
)
k = int(
    controls[3].number_input(
        "Negatives K",
        min_value=1,
        max_value=30,
        value=cfg.negative if cfg.loss == "negative" else one_step.DEFAULT_NEGATIVE,
        key="step_k",
        disabled=objective != "negative",
        help="Negative sampling only; drawn from the run's noise distribution.",
    )
)

first, second = default_pair(str(run.path))
left, right = st.columns(2)
input_word = widgets.word_input(
    "Input word (the context)" if architecture == "cbow" else "Input word", first, "step_in", run, where=left
)
output_word = widgets.word_input("Output word (predicted)", second, "step_out", run, where=right)
context = []
if architecture == "cbow":
    context = st.multiselect(
        "More context words (CBOW: h is the mean of the input word and these)",
        vocab.words[: widgets.MAX_WORD_OPTIONS],
        key="step_ctx",
        max_selections=one_step.MAX_CONTEXT - 1,
    )

try:
    example = one_step.make_example(vocab, architecture, input_word, output_word, context)
    w_in, w_out, note = one_step.saved_tables(run, model, epoch, objective)
except ValueError as exc:  # StepError, or a vectors file damaged since the run was opened
    widgets.show_error(exc)
if note:
    st.caption(note)
tree = huffman_tree(str(run.path)) if objective == "hs" else None
noise = noise_table(str(run.path), cfg.ns_exponent) if objective == "negative" else None
draw = st.session_state.get("step_draw", 0)
negatives = (
    one_step.draw_negatives(noise, k, torch.Generator().manual_seed(cfg.seed + draw))
    if objective == "negative"
    else None
)

st.subheader("One step")
if not has_pytorch:
    st.info("No PyTorch model in this run: the update from inside needs it.")
else:
    view = one_step.take_step(one_step.tables_from(w_in, w_out, tree), objective, example, negatives, lr, vocab, tree)
    if objective == "negative":
        st.button("Draw other negatives", on_click=_redraw, icon=":material/casino:")
    h_name = "h = v(input)" if architecture == "skipgram" else "h = mean of the context"
    st.markdown(
        {
            "negative": "The output word is scored with target t = 1 and each negative with t = 0.",
            "hs": "Every inner node on the output word's Huffman path is scored, with target t = 1 − its code bit.",
            "softmax": "Every word is scored; the table shows the output word and the most probable others.",
        }[objective]
        + f" g = lr·(t − {'p' if objective == 'softmax' else 'σ(s)'}) is each row's step: the row "
        "moves by g·h and h by the sum of g·u."
    )
    metrics = st.columns(4)
    metrics[0].metric(
        "Loss of the pair",
        f"{view.loss_after:.4f}",
        f"{view.loss_after - view.loss_before:+.4f}",
        delta_color="inverse",
        help=f"Before the step: {view.loss_before:.4f}.",
    )
    metrics[1].metric(
        "Pair cosine (input vectors)",
        f"{view.pair_cosine[1]:.4f}",
        f"{view.pair_cosine[1] - view.pair_cosine[0]:+.5f}",
        help="cos(v(input), v(output)) of the embeddings people use, before and after. A step does "
        "not pull these two together directly: it pulls h and the output word's output row "
        "together. Input vectors of two words come together when they share contexts, over "
        "many steps of many pairs.",
    )
    metrics[2].metric("Output rows changed", view.touched_rows)
    metrics[3].metric(
        "autograd vs this update",
        f"{view.autograd_difference:.1e}",
        help="The largest absolute difference over both tables between the trainer's update and "
        "−lr·∇loss from autograd in float64 (CBOW: the whole update of h goes to each context "
        "word, as in word2vec). Float32 rounding is about 1e-8.",
    )
    st.dataframe(
        view.rows,
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(format="%.4f") for c in view.rows.columns if view.rows[c].dtype.kind == "f"
        },
    )
    strips = {f"{h_name}, before": view.h_before, f"{h_name}, after": view.h_after}
    if len(view.rows):
        strips[f"output row {view.rows['row'].iloc[0]}, before"] = w_out[
            example.output if objective != "hs" else int(tree.path(example.output)[1][0])
        ]
    st.altair_chart(
        charts.vector_strip(step_measures.vector_frame(strips), "h and the first scored row"), width="stretch"
    )
    if len(view.negative_cosines):
        st.caption("Cosine of the input word's vector with each negative's vector (the embeddings), before and after:")
        st.dataframe(view.negative_cosines, hide_index=True)

st.subheader("Repeat the step")
choice = st.segmented_control(
    "Steps",
    [f"×{n}" for n in one_step.STEPS],
    default="×10",
    key="step_n",
    bind=widgets.URL,
    help="Each choice starts again from the saved epoch.",
)
n = int((choice or "×10")[1:])
pytorch_steps = gensim_steps = None
if has_pytorch:
    watch = [] if negatives is None else list(dict.fromkeys(negatives.tolist()))
    pytorch_steps = one_step.repeat_steps(
        one_step.tables_from(w_in, w_out, tree),
        objective,
        example,
        lr,
        n,
        noise,
        k,
        seed=cfg.seed + draw + 1,
        watch=watch,
        tree=tree,
    )
if has_gensim and objective != "softmax":
    try:
        start = gensim_start(str(run.path), objective, architecture, k if objective == "negative" else 0)
        gensim_steps = step_gensim.gensim_steps(
            run, epoch, objective, architecture, input_word, output_word, lr, n, k, start=start, tree=tree
        )
    except ValueError as exc:  # StepError, or a damaged gensim file
        st.info(widgets.plain(f"gensim's side: {exc}"))
frame = step_measures.long_steps(pytorch_steps, gensim_steps)
if len(frame):
    st.altair_chart(charts.step_lines(frame, f"{n} step{'s' if n > 1 else ''} on the same pair"))
notes = []
if objective == "softmax":
    notes.append("gensim has no full softmax: only the PyTorch model is shown.")
elif has_gensim:
    notes.append(
        "gensim trains the sentence [input, output] with its own train (window 1, no subsampling, one "
        "thread, the learning rate fixed): it trains the pair both ways and draws its own negatives, so "
        "expect the same trend, not the same numbers. Its loss sums both pairs."
    )
notes.append(
    f"{step_measures.PROBABILITY}, {step_measures.OUTPUT_COSINE} and the pair cosine are computed alike from each "
    "model's tables "
    "(negative sampling: σ of the pair's score; hierarchical softmax: the product along the Huffman path)."
)
st.caption(" ".join(notes))
if pytorch_steps is not None:
    with st.expander("The numbers, step by step"):
        st.dataframe(pd.DataFrame(pytorch_steps).replace({np.nan: None}), hide_index=True)
