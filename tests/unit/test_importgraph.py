"""bench/importgraph.py's pieces: modules grouped per package, the doc's block replaced and nothing else."""

from __future__ import annotations

import pytest

from bench import importgraph


def test_modules_are_grouped_per_package() -> None:
    found = importgraph.grouped(["coupons", "coupons.models", "loyalty.tokens", "clock", "coupons.qr"])
    assert found == ["clock", "coupons(models qr)", "loyalty(tokens)"]


def test_a_row_names_its_data_models_and_leaves_out_the_packages_every_function_loads() -> None:
    ours = ["api.app", "data.models", "data.models.campaigns", "data.models.coupons", "coupons.models"]
    row = {"modules": 700, "ours": ours, "theirs": ["botocore", "pydantic"]}
    assert importgraph.table([("CouponsFunction", row)]).splitlines()[-1] == (
        "| CouponsFunction | 700 | campaigns coupons | coupons(models) | botocore, pydantic |"
    )


def test_only_the_marked_block_is_replaced() -> None:
    text = f"before\n{importgraph.START}\nold\n{importgraph.END}\nafter\n"
    assert importgraph.replace_block(text, "new") == f"before\n{importgraph.START}\nnew\n{importgraph.END}\nafter\n"
    with pytest.raises(SystemExit):
        importgraph.replace_block("no markers", "new")
