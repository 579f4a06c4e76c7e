"""The storefront script (attribution + the rewards panel, its styles inline) stays within its budget: 35 KB gzip.

The figure is recorded in docs/performance.md ("Storefront script"); this test fails before a change ships more.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "infra" / "storefront" / "passaparola.js"
BUDGET = 35 * 1024


def test_script_and_styles_fit_the_gzip_budget():
    raw = SCRIPT.read_bytes()
    compressed = len(gzip.compress(raw, compresslevel=9))
    assert compressed <= BUDGET, f"passaparola.js is {compressed} bytes gzip, over the {BUDGET} byte budget"


def test_the_styles_are_inside_the_script():
    """One file, one request: the panel's CSS is a string in the script (nothing else to fetch)."""
    text = SCRIPT.read_text(encoding="utf-8")
    assert ":host{all:initial!important}" in text
    assert not re.search(
        r"""['"]https?://(?!x\.com|wa\.me|www\.facebook\.com|cdn\.example\.com|api\.example\.com)""", text
    )
