"""The access line ``tandem serve`` writes: the path without its query string, status, bytes,
duration, for every request."""

from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from tandem.core.access_log import AccessLogger


def _logger(path):
    config = Config()
    config.set("accesslog", str(path))
    return AccessLogger(config)


def test_one_line_per_request_without_the_query_string(tmp_path):
    path = tmp_path / "access.log"
    logger = _logger(path)
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/webhooks/meta",
        "QUERY_STRING": "hub.verify_token=secret-token&hub.challenge=42",
        "RAW_URI": "/webhooks/meta?hub.verify_token=secret-token&hub.challenge=42",
    }
    response = SimpleNamespace(status="200 OK", sent=14, headers=[])
    logger.access(response, None, environ, timedelta(seconds=1, microseconds=234_567))
    logger.access(
        SimpleNamespace(status=403, sent=None, headers=[]),
        None,
        {**environ, "REQUEST_METHOD": "POST"},
        timedelta(microseconds=900),
    )
    for handler in logger.access_log.handlers:
        handler.flush()
    lines = path.read_text().splitlines()
    assert lines == [
        '127.0.0.1 "GET /webhooks/meta" 200 14 1234ms',
        '127.0.0.1 "POST /webhooks/meta" 403 - 0ms',
    ]
    assert "secret-token" not in path.read_text()


def test_no_access_log_configured_writes_nothing(tmp_path):
    logger = AccessLogger(Config())
    logger.access(SimpleNamespace(status="200 OK", sent=1), None, {}, timedelta(0))
    assert not list(tmp_path.iterdir())
