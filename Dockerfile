# loa: one image for every role (migrate, scheduler, dramatiq worker, status page, DLR endpoint).
# Slim Python; DejaVu as the fallback font (Noto ships in the package) and libfribidi0, which
# Pillow's libraqm needs to set Vietnamese marks right; runs as an unprivileged user.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core libfribidi0 \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --user-group loa \
 && mkdir -p /data/outbox /data/state \
 && chown -R loa:loa /data

# Installed from /src, run from /app: processes import the installed package (with its
# migrations as package data), not a source tree that happens to be the working directory.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY worker worker
COPY channels channels
COPY campaigns campaigns
RUN pip install . && rm -rf /src/build /src/*.egg-info

WORKDIR /app
COPY config config

USER loa
ENV LOA_CONFIG=/app/config \
    LOA_OUTBOX=/data/outbox
VOLUME ["/data/outbox", "/data/state"]
EXPOSE 8088 8089
# The embedded default; docker-compose.yml gives each service its own command.
CMD ["loa", "run"]
