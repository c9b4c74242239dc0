"""The examples in the adapter's and the conversation service's docstrings run, so that they cannot rot."""

from __future__ import annotations

import doctest

import pytest

from adapters.discord import client, render, run
from bot.service import cooldown, followups


@pytest.mark.parametrize("module", [client, render, run, cooldown, followups], ids=lambda m: m.__name__)
def test_the_docstring_examples_hold(module):
    result = doctest.testmod(module)
    assert result.attempted and not result.failed
