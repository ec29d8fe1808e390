"""The runnable examples in the public entry points' docstrings."""

import doctest

import pytest

from lib import evaluate, gensim_trainer, overlay, store, torch_trainer, train


@pytest.mark.parametrize("module", [torch_trainer, gensim_trainer, train, store, evaluate, overlay])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
