import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

# The collector (POST /collect/event) takes every page view of every customer site: it skips the
# middleware that does nothing for it (tracking/wsgi_collector.py); everything else is Django's.
from tracking.wsgi_collector import collector_first  # noqa: E402 (needs the apps loaded)

application = collector_first(django_application)
