# HICM Portal: one image for the web process and the task worker (docker-compose.yml runs both:
# `web`, the default command, and `worker`, `python manage.py db_worker`).
#   docker build -t hicm-portal .
#   docker run --env-file .env -p 8000:8000 hicm-portal          # or: docker compose up --build
# Settings come from the environment at run time; see .env.example.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

# Run-time libraries for WeasyPrint (it dlopens pango, pangoft2, harfbuzz, harfbuzz-subset,
# fontconfig and gobject through cffi; gobject comes with pango) and fonts for the PDFs.
# Every Python dependency installs from a wheel, so no compiler or -dev package is needed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libfontconfig1 \
        fontconfig \
        fonts-dejavu-core \
        fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

# A home directory: fontconfig caches there and gunicorn 27 puts its control socket in ~/.gunicorn.
RUN groupadd --system --gid 1000 hicm \
    && useradd --system --uid 1000 --gid hicm --create-home --home-dir /home/hicm \
        --shell /usr/sbin/nologin hicm

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. Production set only (no [dev]);
# py-modules = [] means this installs the pinned dependencies and no project code.
COPY pyproject.toml ./
RUN pip install --no-cache-dir . \
    && rm -rf build ./*.egg-info

# The code stays owned by root (read-only to the app); only staticfiles/ belongs to the app user,
# so collectstatic can run again on start.
COPY . .
RUN chmod 0755 docker/entrypoint.sh \
    && install -d -o hicm -g hicm /app/staticfiles

USER hicm

# Hashed, compressed files for whitenoise (CompressedManifestStaticFilesStorage when DEBUG is off).
# The settings refuse to load without SECRET_KEY when DEBUG is off; collectstatic uses no secrets,
# so a throwaway key for this step only. It is not kept in the image's environment.
RUN DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput

EXPOSE 8000

# Liveness: /healthz answers without touching the database. The Host header is the first
# ALLOWED_HOSTS entry (Django rejects other hosts with 400), and X-Forwarded-Proto: https keeps
# SECURE_SSL_REDIRECT from redirecting (it is honoured when SECURE_PROXY_SSL_HEADER=1, which a
# portal behind a TLS proxy with SECURE_SSL_REDIRECT=1 needs anyway). No curl in slim: urllib.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = h if h and h != '*' else 'localhost'; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=4)"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
