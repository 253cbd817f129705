"""Pure report computation for the Performance tab (SPEC §4): plain data in, plain data out.

No Django or Celery here (an import-linter contract forbids it): `reporting.selectors` reads the
rows, these functions turn them into the numbers the page shows, and `reporting.services` stores
them as snapshots.
"""
