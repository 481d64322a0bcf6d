"""Demo data for the quick start and for benchmarks (``manage.py seed_demo``).

Never loaded in production: the command refuses to run under production settings.
"""
