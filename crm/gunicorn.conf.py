"""Gunicorn settings. The access log names the path only: query strings can hold search terms."""

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
