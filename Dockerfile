FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN python manage.py compiletranslations \
 && DJANGO_SETTINGS_MODULE=crm.settings.local python manage.py collectstatic --no-input
USER nobody
