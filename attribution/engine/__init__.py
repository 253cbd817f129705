"""Touchpoint's attribution engine: framework-free, DataFrames in and DataFrames out.

Inputs (SPEC §8):

* ``touches``: ``conversion_id``, ``touch_id``, ``at`` (tz-aware timestamps of any resolution),
  optional ``channel`` (campaign or source, used by data-driven models and path analytics). A
  touch that counts for two conversions appears once per conversion.
* ``conversions``: ``conversion_id``, ``lead_created_at``, ``deal_created_at``, ``closed_at``
  (NaT where not applicable) and ``value`` (1.0 for counts, the amount for revenue).

``kind`` picks the conversion time: ``contact_create`` (lead_created_at), ``deal_create``
(deal_created_at) or ``revenue`` (closed_at). Eligible touches are at or before it (and within
``lookback_days`` when given). Models: the rule-based ones in ``rules`` (first/last interaction,
linear, U, W, full path, J, inverse J, time decay) and the data-driven ``markov`` (exact removal
effects) and ``shapley``.

Public API (DataFrames in, DataFrames out):

* ``allocate(touches, conversions, *, model, kind, ...)`` -> ``conversion_id, touch_id, credit``;
  ``allocate_many(..., models=[...])`` computes several models from one read of the data.
* ``markov_channel_credit`` / ``markov_transition_matrix``: the Markov model per channel.
* ``shapley_channel_credit``: Shapley values per channel.
* ``compare(credits_a, credits_b, ...)``: credit shift per channel (or any key).
* ``top_paths``, ``path_length_distribution``, ``time_to_convert_distribution``.

The engine imports nothing from Django or Celery (an import-linter contract enforces it). Its
segment loops are compiled with numba on first use and cached in ``__pycache__``; importing the
package does not import numba.
"""

from __future__ import annotations

from .api import DATA_DRIVEN_MODELS, MODELS, allocate, allocate_many
from .compare import compare
from .journeys import KINDS
from .markov import markov_channel_credit, markov_transition_matrix
from .paths import path_length_distribution, time_to_convert_distribution, top_paths
from .rules import RULE_BASED_MODELS
from .shapley import shapley_channel_credit

__all__ = [
    "DATA_DRIVEN_MODELS",
    "KINDS",
    "MODELS",
    "RULE_BASED_MODELS",
    "allocate",
    "allocate_many",
    "compare",
    "markov_channel_credit",
    "markov_transition_matrix",
    "path_length_distribution",
    "shapley_channel_credit",
    "time_to_convert_distribution",
    "top_paths",
]
