"""Public endpoints customer sites call, under /collect/ (the snippet itself is /t.js, routed in
config/urls.py). No trailing slashes: a POST to a URL that would need one must not be redirected.
"""

from django.urls import path

from tracking import views
from tracking.api_collector import CollectEventSchema, FormSubmissionSchema, documented_by

app_name = "collect"

urlpatterns = [
    path("event", documented_by(views.collect_event, CollectEventSchema), name="event"),
    path("form", documented_by(views.collect_form, FormSubmissionSchema), name="form"),
]
