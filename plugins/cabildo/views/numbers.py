"""The number policy: parts shown rounded must add up to the whole shown.

Shares are rounded with the largest-remainder method, so "60 % decided, 40 %
left" always sums to 100 %; claims such as "100 %" are computed from the data.
"""
from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal


def largest_remainder(values, total: int = 100) -> list[int]:
    """Whole-number shares of `total`, proportional to `values`, that add up to `total`
    exactly (ties go to the earlier value). All zero when the values are."""
    values = [Decimal(v) for v in values]
    whole = sum(values)
    if not whole:
        return [0] * len(values)
    exact = [v * total / whole for v in values]
    floors = [int(x.to_integral_value(ROUND_FLOOR)) for x in exact]
    short = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:short]:
        floors[i] += 1
    return floors


def ratios(values) -> list[Decimal]:
    """Largest-remainder percentages as ratios (0..1) for the `percent` formatter."""
    return [Decimal(n) / 100 for n in largest_remainder(values)]
