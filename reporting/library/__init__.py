"""The report library and dashboards: who sees and may change a saved report or a dashboard
(selectors), the writes (services) and their input (forms)."""
