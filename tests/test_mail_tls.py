"""Mail over TLS against a real SMTP server (aiosmtpd) whose certificate comes from a private CA
(trustme): the certificate and host name are verified, and nothing, credentials included, goes
out until they are."""
from __future__ import annotations

import socket
import ssl

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from config import ProductionConfig
from impact.mail.models import OutboxStatus
from impact.mail.outbox import MAX_ATTEMPTS, deliver_due
from impact.mail.smtp import MailSettingsError
from impact.model_types import utcnow
from tests.test_outbox import make_due, outbox_row, queue

pytestmark = pytest.mark.smtp

USERNAME, PASSWORD = "relay-user", "relay-password"


class Relay:
    """An aiosmtpd handler and authenticator that record what the server was given."""

    def __init__(self):
        self.subjects: list[str] = []
        self.rcpt_tos: list[list[str]] = []
        self.encrypted: list[bool] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.subjects.append(str(message_from_bytes(envelope.content, policy=policy.default)["Subject"]))
        self.rcpt_tos.append(list(envelope.rcpt_tos))
        self.encrypted.append(server.transport.get_extra_info("ssl_object") is not None)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append(auth_data.login.decode())
        return AuthResult(success=auth_data.login.decode() == USERNAME and auth_data.password.decode() == PASSWORD)


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def ca_file(ca, tmp_path):
    path = tmp_path / "mail-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def relay(app, monkeypatch, ca):
    """relay(mode, cert_for=...): an SMTP server with auth, the app pointed at it with credentials.

    mode: "starttls" (offers STARTTLS, AUTH only after it), "implicit" (TLS from the first
    byte) or "plain" (no TLS at all, AUTH offered anyway). The app's MAIL_USE_TLS /
    MAIL_USE_SSL follow the mode; a test changes them to mismatch.
    """
    controllers = []

    def _start(mode: str, cert_for: str = "127.0.0.1") -> Relay:
        handler = Relay()
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(cert_for).configure_cert(server_context)
        tls = {"starttls": {"tls_context": server_context, "auth_require_tls": True},
               # aiosmtpd counts only STARTTLS as TLS for auth_require_tls, so it is off here.
               "implicit": {"ssl_context": server_context, "auth_require_tls": False},
               "plain": {"auth_require_tls": False}}[mode]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=handler.authenticate, **tls)
        controller.start()
        controllers.append(controller)
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", mode == "starttls")
        monkeypatch.setitem(app.config, "MAIL_USE_SSL", mode == "implicit")
        monkeypatch.setitem(app.config, "MAIL_CA_FILE", None)
        monkeypatch.setitem(app.config, "MAIL_USERNAME", USERNAME)
        monkeypatch.setitem(app.config, "MAIL_PASSWORD", PASSWORD)
        return handler

    yield _start
    for controller in controllers:
        controller.stop()


def trust(app, monkeypatch, ca_file: str) -> None:
    monkeypatch.setitem(app.config, "MAIL_CA_FILE", ca_file)


def assert_put_back_unsent(message_id: int, relay: Relay, *words: str) -> None:
    message = outbox_row(message_id)
    assert message.status is OutboxStatus.PENDING and message.attempts == 1
    assert message.next_attempt_at > utcnow()  # backed off, not retried at once
    for word in words:
        assert word in message.last_error
    assert relay.subjects == []
    assert relay.logins == [], "credentials were sent before TLS was verified"


# STARTTLS ----------------------------------------------------------------------------------

def test_starttls_without_the_private_ca_sends_nothing_and_is_retried_then_failed(db, relay):
    server = relay("starttls")
    message_id = queue(subject="Your reset link")
    assert deliver_due() == {"sent": 0, "retry": 1, "failed": 0, "bounced": 0, "uncertain": 0}
    assert_put_back_unsent(message_id, server, "certificate could not be verified", "MAIL_CA_FILE")
    for _ in range(MAX_ATTEMPTS - 1):
        make_due(message_id)
        deliver_due()
    message = outbox_row(message_id)
    assert message.status is OutboxStatus.FAILED and message.attempts == MAX_ATTEMPTS
    assert "certificate could not be verified" in message.last_error and "MAIL_CA_FILE" in message.last_error
    assert server.subjects == [] and server.logins == []


def test_starttls_with_the_private_ca_delivers_encrypted_and_logs_in(db, relay, app, monkeypatch, ca_file):
    server = relay("starttls")
    trust(app, monkeypatch, ca_file)
    message_id = queue(subject="Your reset link")
    assert deliver_due()["sent"] == 1
    assert outbox_row(message_id).status is OutboxStatus.SENT
    assert server.subjects == ["Your reset link"] and server.encrypted == [True]
    assert server.logins == [USERNAME]


def test_a_certificate_for_another_host_name_is_refused_even_with_the_ca(db, relay, app, monkeypatch, ca_file):
    server = relay("starttls", cert_for="mail.example.org")
    trust(app, monkeypatch, ca_file)
    message_id = queue()
    assert deliver_due()["retry"] == 1
    assert_put_back_unsent(message_id, server, "certificate could not be verified", "127.0.0.1", "MAIL_SERVER")


def test_starttls_required_but_not_offered_sends_nothing_in_plain_text(db, relay, app, monkeypatch, ca_file):
    server = relay("plain")  # offers AUTH without TLS, which must not tempt the client
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", True)
    trust(app, monkeypatch, ca_file)
    message_id = queue()
    assert deliver_due()["retry"] == 1
    assert_put_back_unsent(message_id, server, "does not offer STARTTLS")


# Implicit TLS ------------------------------------------------------------------------------

def test_implicit_tls_with_the_private_ca_delivers(db, relay, app, monkeypatch, ca_file):
    server = relay("implicit")
    trust(app, monkeypatch, ca_file)
    message_id = queue(subject="Over port 465")
    assert deliver_due()["sent"] == 1
    assert outbox_row(message_id).status is OutboxStatus.SENT
    assert server.subjects == ["Over port 465"] and server.encrypted == [True]
    assert server.logins == [USERNAME]


def test_implicit_tls_without_the_private_ca_sends_nothing(db, relay):
    server = relay("implicit")
    message_id = queue()
    assert deliver_due()["retry"] == 1
    assert_put_back_unsent(message_id, server, "certificate could not be verified", "MAIL_CA_FILE")


def test_implicit_tls_against_a_plain_server_sends_nothing(db, relay, app, monkeypatch, ca_file):
    server = relay("plain")
    monkeypatch.setitem(app.config, "MAIL_USE_SSL", True)
    trust(app, monkeypatch, ca_file)
    message_id = queue()
    assert deliver_due()["retry"] == 1
    assert_put_back_unsent(message_id, server, "TLS with the mail server failed", "MAIL_PORT", "MAIL_USE_SSL")


# Settings ----------------------------------------------------------------------------------

def test_an_unreadable_ca_file_is_reported_and_nothing_is_sent(db, relay, app, monkeypatch, tmp_path):
    server = relay("starttls")
    trust(app, monkeypatch, str(tmp_path / "missing.pem"))
    message_id = queue()
    assert deliver_due()["retry"] == 1
    assert_put_back_unsent(message_id, server, "MAIL_CA_FILE", "missing.pem", "could not be loaded")


def test_both_tls_settings_are_refused_before_any_message_is_touched(db, relay, app, monkeypatch, ca_file):
    server = relay("starttls")
    monkeypatch.setitem(app.config, "MAIL_USE_SSL", True)
    message_id = queue()
    with pytest.raises(MailSettingsError, match="MAIL_USE_TLS and MAIL_USE_SSL are both set"):
        deliver_due()
    message = outbox_row(message_id)
    assert message.status is OutboxStatus.PENDING and message.attempts == 0
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code != 0 and "MAIL_USE_TLS and MAIL_USE_SSL are both set" in result.output
    assert server.subjects == []


def test_production_refuses_to_start_with_both_tls_settings(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-of-more-than-32-bytes")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.example.org/impact")
    monkeypatch.setenv("MAIL_USE_TLS", "1")
    monkeypatch.setenv("MAIL_USE_SSL", "1")
    with pytest.raises(RuntimeError, match="MAIL_USE_TLS .* and MAIL_USE_SSL .* are both set"):
        ProductionConfig.validate()


# Envelope ----------------------------------------------------------------------------------

def test_the_envelope_recipient_is_exactly_the_messages_address(db, relay, app, monkeypatch, ca_file):
    server = relay("starttls")
    trust(app, monkeypatch, ca_file)
    queue(to="respondent@example.org")
    assert deliver_due()["sent"] == 1
    assert server.rcpt_tos == [["respondent@example.org"]]
