import logging

from core.logging import StripQueryString


def make_record(msg, *args):
    return logging.LogRecord("django.server", logging.INFO, __file__, 1, msg, args, None)


def test_request_lines_lose_their_query_string():
    record = make_record('"%s" %s %s', "GET /contacts/?q=%E6%80%A1%E5%90%9B HTTP/1.1", "200", "512")
    assert StripQueryString().filter(record) is True
    assert record.getMessage() == '"GET /contacts/ HTTP/1.1" 200 512'


def test_plain_messages_lose_their_query_string():
    record = make_record("Not Found: /contacts/?q=0912345678")
    StripQueryString().filter(record)
    assert record.getMessage() == "Not Found: /contacts/"


def test_the_filter_guards_the_development_server_log():
    from django.conf import settings

    handler = settings.LOGGING["handlers"]["console"]
    assert "strip_query_string" in handler["filters"]
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]
