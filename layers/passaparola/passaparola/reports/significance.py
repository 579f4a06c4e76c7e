"""The two-proportion z-test between two variants: does B convert at another rate than A, beyond chance?

Pooled standard error; the p-value is two-sided (`erfc(|z| / √2)`). A difference is significant at
p < 0.05 with at least 30 exposed in each arm (below that the normal approximation misleads).
"""

import math
from dataclasses import dataclass

ALPHA = 0.05
MIN_EXPOSED = 30
DECIMALS = 4


@dataclass(frozen=True)
class ZTest:
    z: float | None
    """(rate B − rate A) / pooled standard error; None when an arm has nobody exposed or impossible counts."""
    p_value: float | None
    significant: bool
    winner: str | None
    """The arm with the higher rate, when significant."""


def two_proportion(control: tuple[int, int], challenger: tuple[int, int], names: tuple[str, str] = ("A", "B")) -> ZTest:
    """`control` and `challenger` are (conversions, exposed). Equal rates (including both 0% or both 100%,
    where the error is 0) are z = 0, p = 1; counts that are no proportion (exposed ≤ 0, conversions < 0 or
    > exposed) answer no test."""
    (x1, n1), (x2, n2) = control, challenger
    if n1 <= 0 or n2 <= 0 or not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        return ZTest(None, None, False, None)
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    error = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if error == 0:  # both arms at 0% or both at 100%
        return ZTest(0.0, 1.0, False, None)
    z = (p2 - p1) / error
    p_value = math.erfc(abs(z) / math.sqrt(2))
    significant = p_value < ALPHA and n1 >= MIN_EXPOSED and n2 >= MIN_EXPOSED
    winner = (names[1] if p2 > p1 else names[0]) if significant else None
    return ZTest(round(z, DECIMALS), round(p_value, DECIMALS), significant, winner)
