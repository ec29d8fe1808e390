"""lib.model.torch_word2vec: every hand-written SGD step equals −lr × autograd's gradient of its loss (float64), and
the probe loss of lib.views.evaluate equals the loss a step reports on the same examples."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lib.model.huffman import HuffmanTree
from lib.model.torch_word2vec import Word2VecTables
from lib.views.evaluate import Probe

V, D, LR = 12, 5, 0.3
COUNTS = np.array([40, 30, 22, 17, 12, 9, 7, 5, 4, 3, 2, 1])


def tables(tree=None) -> Word2VecTables:
    t = Word2VecTables(V, D, torch.device("cpu"), torch.Generator().manual_seed(1), tree=tree)
    g = torch.Generator().manual_seed(2)
    t.w_in = torch.randn(V, D, generator=g, dtype=torch.float64)
    t.w_out = torch.randn(V, D, generator=g, dtype=torch.float64) * 0.7
    if tree is not None:
        t.signs = t.signs.double()
    return t


def examples(cbow: bool, n: int = 9, seed: int = 0):
    """Inputs (with repeated rows, so summed updates are checked too), outputs and K = 3 negatives each."""
    g = torch.Generator().manual_seed(seed)
    outputs = torch.randint(0, V, (n,), generator=g)
    negatives = torch.randint(0, V, (n, 3), generator=g)
    negatives[0, 0] = outputs[0]  # a negative equal to the output word is skipped
    if not cbow:
        return torch.randint(0, V, (n,), generator=g), outputs, negatives
    inputs = torch.randint(0, V, (n, 4), generator=g)
    inputs[1, 2:] = -1  # padded slots
    inputs[2, 0] = -1
    return inputs, outputs, negatives


def hidden(w_in, inputs):
    """h as autograd sees it: the input row, or for CBOW the mean of the context rows whose gradient goes whole
    to every context row (word2vec's and gensim's cbow_mean=1 update): forward the mean, backward the sum."""
    if inputs.dim() == 1:
        return w_in[inputs]
    mask = (inputs >= 0).unsqueeze(-1).double()
    summed = (w_in[inputs.clamp(min=0)] * mask).sum(1)
    mean = summed / mask.sum(1)
    return mean.detach() + summed - summed.detach()


def ns_loss(h, v_out, outputs, negatives, weight=1.0):
    pos = (h * v_out[outputs]).sum(1)
    neg = torch.einsum("bkd,bd->bk", v_out[negatives], h)
    live = (negatives != outputs.unsqueeze(1)).double() * weight
    return -(F.logsigmoid(pos).sum() + (F.logsigmoid(-neg) * live).sum())


def hs_loss(h, v_out, outputs, tree: HuffmanTree):
    total = 0.0
    for b, o in enumerate(outputs.tolist()):
        code, point = tree.path(o)
        for bit, node in zip(code.tolist(), point.tolist()):
            total = total - F.logsigmoid((1 - 2 * bit) * (h[b] @ v_out[node]))
    return total


def expected_step(t: Word2VecTables, loss_fn):
    """The tables after one SGD step on loss_fn(w_in, w_out), computed by autograd, and the loss."""
    w_in, w_out = t.w_in.clone().requires_grad_(), t.w_out.clone().requires_grad_()
    loss = loss_fn(w_in, w_out)
    loss.backward()
    return (t.w_in - LR * w_in.grad, t.w_out - LR * w_out.grad), float(loss.detach())


def check(t, step, loss_fn):
    (want_in, want_out), want_loss = expected_step(t, loss_fn)
    loss = step()
    assert float(loss) == pytest.approx(want_loss, rel=1e-10)
    assert torch.allclose(t.w_in, want_in, atol=1e-12) and torch.allclose(t.w_out, want_out, atol=1e-12)


@pytest.mark.parametrize("cbow", [False, True])
def test_negative_sampling_step_is_the_gradient(cbow):
    t = tables()
    inputs, outputs, negatives = examples(cbow)
    check(
        t,
        lambda: t.sgd_negative(inputs, outputs, negatives, LR),
        lambda w_in, w_out: ns_loss(hidden(w_in, inputs), w_out, outputs, negatives),
    )


@pytest.mark.parametrize("cbow", [False, True])
def test_batch_negatives_step_is_the_gradient(cbow):
    t = tables()
    inputs, outputs, _ = examples(cbow)
    pool = torch.tensor([3, 7, 7, 1, 0])
    weight = 3 / 5
    check(
        t,
        lambda: t.sgd_batch_negative(inputs, outputs, pool, LR, weight),
        lambda w_in, w_out: ns_loss(hidden(w_in, inputs), w_out, outputs, pool.expand(len(outputs), 5), weight),
    )


def test_shared_negatives_step_is_the_gradient_of_every_pair_with_its_windows_negatives():
    t = tables()
    contexts, centres, negatives = examples(cbow=True)
    mask = contexts >= 0
    pair_windows = mask.nonzero(as_tuple=True)[0]  # each (context, centre) pair and the window it comes from

    def loss(w_in, w_out):
        return ns_loss(w_in[contexts[mask]], w_out, centres[pair_windows], negatives[pair_windows])

    check(t, lambda: t.sgd_shared_negative(contexts, centres, negatives, LR), loss)


@pytest.mark.parametrize("cbow", [False, True])
def test_full_softmax_step_is_the_gradient(cbow):
    t = tables()
    inputs, outputs, _ = examples(cbow)
    check(
        t,
        lambda: t.sgd_softmax(inputs, outputs, LR),
        lambda w_in, w_out: F.cross_entropy(hidden(w_in, inputs) @ w_out.T, outputs, reduction="sum"),
    )


@pytest.mark.parametrize("cbow", [False, True])
def test_hierarchical_softmax_step_is_the_gradient(cbow):
    tree = HuffmanTree.build(COUNTS)
    t = tables(tree)
    inputs, outputs, _ = examples(cbow)
    check(
        t,
        lambda: t.sgd_hs(inputs, outputs, LR),
        lambda w_in, w_out: hs_loss(hidden(w_in, inputs), w_out, outputs, tree),
    )


@pytest.mark.parametrize(
    "objective, cbow", [("negative", False), ("negative", True), ("hs", False), ("hs", True), ("softmax", False)]
)
def test_probe_loss_equals_the_loss_the_trainer_reports(objective, cbow):
    tree = HuffmanTree.build(COUNTS) if objective == "hs" else None
    t = tables(tree)
    inputs, outputs, negatives = examples(cbow, n=30, seed=4)
    probe = Probe(inputs.numpy(), outputs.numpy(), negatives.numpy(), tree)
    want = probe.loss(t.w_in.numpy(), t.w_out.numpy(), objective)
    step = {
        "negative": lambda: t.sgd_negative(inputs, outputs, negatives, LR),
        "hs": lambda: t.sgd_hs(inputs, outputs, LR),
        "softmax": lambda: t.sgd_softmax(inputs, outputs, LR),
    }
    assert float(step[objective]()) / len(outputs) == pytest.approx(want, rel=1e-9)
