# Production image: gunicorn for web, the same image for Celery worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN DATABASE_URL=postgres://build@localhost/none SECRET_KEY=build-only-collectstatic \
    python manage.py collectstatic --noinput
RUN useradd --system --home /app datadeling && chown -R datadeling /app
USER datadeling
EXPOSE 8000
CMD ["gunicorn", "datadeling.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
