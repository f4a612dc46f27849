# loa worker image: slim Python, the fonts and libfribidi the slide renderer needs, non-root.
FROM python:3.11-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core libfribidi0 \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 loa
WORKDIR /app
COPY pyproject.toml README.md ./
COPY worker worker
COPY channels channels
COPY campaigns campaigns
RUN pip install --no-cache-dir .
COPY config config
USER loa
ENV LOA_CONFIG=/app/config LOA_OUTBOX=/data/outbox
CMD ["loa", "run"]
