#!/usr/bin/env bash
# HICM Portal container entrypoint.
#
#   web (the default)  migrate, load the framework library, collect static files, then serve
#                      with gunicorn on 0.0.0.0:8000 (GUNICORN_WORKERS workers, default 2).
#   anything else      run as given, e.g. `python manage.py createsuperuser`, or the task
#                      worker that docker-compose.yml's `worker` service runs:
#                      `python manage.py db_worker --no-reload`.
set -euo pipefail

# Refuse the placeholder key from .env.example unless DEBUG is on: production must never run with it.
debug="$(printf '%s' "${DEBUG:-0}" | tr '[:upper:]' '[:lower:]')"
if [[ "${SECRET_KEY:-}" == change-me* && ! "$debug" =~ ^[[:space:]]*(1|true|yes|on)[[:space:]]*$ ]]; then
  echo "entrypoint: SECRET_KEY is still the placeholder from .env.example; set a real one:" >&2
  echo "  python3 -c 'import secrets; print(secrets.token_urlsafe(50))'" >&2
  exit 1
fi

if [[ $# -eq 0 || "$1" == "web" ]]; then
  python manage.py migrate --noinput
  # Safe to run on every start: equal or older framework versions change nothing.
  python manage.py load_frameworks
  python manage.py load_casestudies
  # Already done at build time; repeated here (quick, unchanged files are skipped).
  python manage.py collectstatic --noinput
  exec gunicorn hicm_portal.wsgi \
    --bind 0.0.0.0:8000 \
    --workers "${GUNICORN_WORKERS:-2}" \
    --access-logfile - \
    --forwarded-allow-ips '*'
fi

exec "$@"
