# Touchpoint: one image for the web app (gunicorn), the Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TOUCHPOINT_VAR_DIR=/data

# WeasyPrint (PDF exports) needs Pango and HarfBuzz; gettext compiles the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 touchpoint \
    && mkdir -p /app /data \
    && chown touchpoint:touchpoint /data
WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; \
print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
    > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

COPY . .
RUN pip install --no-deps -e . \
    && if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
         python manage.py compilemessages --ignore=.venv --verbosity 0; \
       fi \
    && DJANGO_ENV=production \
       SECRET_KEY=build-time-only-key-used-for-collectstatic-never-at-run-time-0123456789 \
       python manage.py collectstatic --noinput --verbosity 0

USER touchpoint
VOLUME ["/data"]
EXPOSE 8000

ENV DJANGO_ENV=production
# gunicorn's sync workers (one request at a time per process, no thread waiting for the GIL);
# WEB_CONCURRENCY sets how many: about two per core (the collector bench's 1,000+ events/s on
# 2 cores used 4).
ENV WEB_CONCURRENCY=4
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--timeout", "60", "--access-logfile", "-"]
