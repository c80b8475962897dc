"""Every Python block of README.md runs as written against a served fake (see markdown_blocks)."""

from __future__ import annotations

import pathlib

import pytest

from .markdown_blocks import Block, blocks, run, runnable, unexplained

README = pathlib.Path(__file__).parent.parent / "README.md"
BLOCKS = blocks(README)


@pytest.mark.parametrize("block", runnable(BLOCKS), ids=lambda block: block.id)
def test_readme_block_runs_as_written(block: Block, tmp_path: pathlib.Path) -> None:
    run(block, tmp_path)


def test_every_block_not_run_says_why() -> None:
    assert unexplained(BLOCKS) == []


def test_the_readme_has_blocks_and_most_run() -> None:
    assert len(BLOCKS) >= 8
    assert len(runnable(BLOCKS)) >= len(BLOCKS) - 2
