"""The demo data generator (`manage.py seed_demo`).

Phases, each writing through the same services real data uses:
A `build`      workspace, users, campaigns, assets + associations, ad accounts (`world`,
               `campaign_setup`, `ad_setup`; through the Django services);
B `visits`     visitors, sessions, page views, conversions into contacts (tracking/crm bulk paths);
C `engagement` imports, email, events, workflows, lists, sales activity;
D `people`     deals from the contacts' lifecycle;
E `admetrics`  the ad networks' daily numbers.
`runner.seed_demo` ties them together in one transaction.
"""
