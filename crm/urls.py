from django.urls import path

from crm import views

app_name = "crm"

urlpatterns = [
    path("import/", views.import_list, name="imports"),
    path("import/new/", views.import_new, name="import_new"),
    path("import/sample.csv", views.import_template, name="import_template"),
    path("import/<int:job_id>/", views.import_detail, name="import_detail"),
    path("import/<int:job_id>/mapping/", views.import_mapping, name="import_mapping"),
    path("import/<int:job_id>/errors.csv", views.import_errors, name="import_errors"),
]
