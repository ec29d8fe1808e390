"""The runnable examples in the public entry points' docstrings."""

import doctest

import pytest

from lib import train
from lib.model import gensim_trainer, torch_trainer
from lib.runs import store
from lib.views import evaluate, overlay


@pytest.mark.parametrize("module", [torch_trainer, gensim_trainer, train, store, evaluate, overlay])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
