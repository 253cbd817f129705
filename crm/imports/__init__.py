"""CSV import of contacts, deals, interactions and assets.

The flow: upload (the file is checked against the limits — 10 MB, 50,000 rows — and its
encoding, delimiter, header and row count are read; `services.create_import_job`), preview and
column mapping (`services.start_import` queues the run), the run in Celery
(`runner.run_import`, task `crm.tasks.run_import_job`), and the result on the job page with the
per-row errors as a CSV file (row, column, value, message).

What a run writes — the exact semantics:

- The file is read in batches of 1,000 rows (`runner.BATCH_SIZE`). Each batch is one
  database transaction: it is committed whole, or not at all.
- Every row is checked completely before anything of its batch is written: each cell, each
  reference (contact emails, assets, campaigns), the rules of the record (a deal cannot close
  before it was created...) and whether an earlier row of the file already had the same key.
  A row with any problem is reported — one line per problem — and skipped: nothing of that
  row is written (not its other cells, not its associations). The other rows are imported.
- If the database still refuses a batch (e.g. another import created the same contact a
  moment earlier), the batch is rolled back, the job stops and is marked failed with a message
  naming the rows; the batches before it stay stored. Running the same file again completes
  the import without duplicating anything.
- Re-import is idempotent. Keys: contacts by email (case-insensitive), deals by external id,
  interactions by external id (or, without one, by contact + type + time + asset), assets by
  type + external id (or type + name). A row whose record exists updates it — only with the
  row's non-empty cells (an empty cell never erases a stored value) — and counts as updated
  when something changed, as skipped (unchanged) when nothing did. The same file imported
  twice: the second run creates nothing and changes nothing.
- A key may appear once per file; a repeated one is reported as an error on the later row.
- Dates are read in the workspace's time zone unless they carry an offset; amounts accept
  `1234.56`, `1.234,56` and `1 234,56`.
- When the job finishes (done or failed) the workspace's data_version is bumped, so report
  snapshots are recomputed.
"""
