"""The packed-key sorting primitives behave exactly like numpy's lexsort."""

from __future__ import annotations

import numpy as np
import pytest

from attribution.engine._sorting import group_sizes, is_sorted_lex, lexsort_packed

INT64 = np.iinfo(np.int64)


@pytest.mark.parametrize("n", [0, 1, 2, 17, 5000])
@pytest.mark.parametrize(
    "spans",
    [(3, 5, 7), (2**62, 10, 2**40), (1, 1, 1), (2**20, 2**55, 2**23), (0, 2**63 - 1, 2)],
)
def test_lexsort_packed_orders_rows_like_numpy_lexsort(n: int, spans: tuple[int, ...]) -> None:
    rng = np.random.default_rng(n + len(str(spans)))
    keys = [rng.integers(-span, span + 1, n) if span else np.zeros(n, np.int64) for span in spans]
    expected = np.lexsort(keys[::-1])
    np.testing.assert_array_equal(lexsort_packed(keys), expected)
    assert is_sorted_lex([key[expected] for key in keys])


def test_lexsort_packed_handles_the_extreme_int64_values() -> None:
    key = np.array([INT64.max, INT64.min, 0, -1, INT64.max, INT64.min])
    np.testing.assert_array_equal(lexsort_packed([key]), [1, 5, 3, 2, 0, 4])


def test_is_sorted_lex_looks_at_less_significant_keys_only_on_ties() -> None:
    assert is_sorted_lex([np.array([1, 1, 2]), np.array([5, 6, 0])])
    assert not is_sorted_lex([np.array([1, 1, 2]), np.array([6, 5, 0])])
    assert not is_sorted_lex([np.array([2, 1]), np.array([0, 1])])


def test_group_sizes_counts_rows_sharing_all_keys_and_marks_the_first() -> None:
    journey = np.array([0, 0, 0, 1, 1, 2])
    channel = np.array([4, 7, 4, 4, 4, 9])
    sizes, first = group_sizes((journey, channel))
    np.testing.assert_array_equal(sizes, [2, 1, 2, 2, 2, 1])
    np.testing.assert_array_equal(first, [True, True, False, True, False, True])
