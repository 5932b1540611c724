"""Sessions with the SMTP relay: plain, STARTTLS or implicit TLS, the server's certificate always verified.

The relay password, password-reset links and respondents' personal links all travel
over this connection, so with TLS configured nothing (credentials included) is sent
until TLS is up with a verified certificate: there is no fallback to plain text.
"""
from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from typing import Any

# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH.
_NAME_MISMATCH = {62, 64}


class MailSettingsError(RuntimeError):
    """The MAIL_ settings contradict each other; no message is touched until they are fixed."""


class TLSFailure(OSError):
    """TLS with the relay could not be set up. An OSError, so it is retried like a refused connection."""


def check_settings(config: Mapping[str, Any]) -> None:
    if config.get("MAIL_USE_TLS") and config.get("MAIL_USE_SSL"):
        raise MailSettingsError(
            "MAIL_USE_TLS and MAIL_USE_SSL are both set: choose MAIL_USE_TLS for STARTTLS "
            "(usually port 587) or MAIL_USE_SSL for implicit TLS (usually port 465), not both."
        )


class _HandOverTracking:
    """Remembers whether the whole message went out, so a lost reply is not taken as a failure."""

    handed_over = False
    _in_data = False

    def data(self, msg):
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s):
        super().send(s)
        # Within DATA, commands go out as str and the message itself as bytes.
        if self._in_data and isinstance(s, bytes):
            self.handed_over = True


class _SMTP(_HandOverTracking, smtplib.SMTP):
    pass


class _SMTP_SSL(_HandOverTracking, smtplib.SMTP_SSL):
    pass


Session = _SMTP | _SMTP_SSL


def tls_context(config: Mapping[str, Any]) -> ssl.SSLContext:
    """Verify the server's certificate and host name, against MAIL_CA_FILE if set, else the system's CAs."""
    ca_file = config.get("MAIL_CA_FILE") or None
    try:
        context = ssl.create_default_context(cafile=ca_file)
    except OSError as exc:  # missing file, or no PEM certificate in it
        raise TLSFailure(f"MAIL_CA_FILE {ca_file!r} could not be loaded: {exc}") from exc
    # create_default_context already does both; stated so no later edit loosens them unnoticed.
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def _tls_failure(exc: ssl.SSLError, config: Mapping[str, Any]) -> TLSFailure:
    if not isinstance(exc, ssl.SSLCertVerificationError):  # the handshake broke off before the check
        return TLSFailure(
            f"TLS with the mail server failed ({exc}), so its certificate could not be verified and nothing "
            "was sent; check that MAIL_PORT is the port for MAIL_USE_TLS (STARTTLS) or MAIL_USE_SSL (implicit TLS)."
        )
    ca_file = config.get("MAIL_CA_FILE")
    checked = f"MAIL_CA_FILE ({ca_file})" if ca_file else "the system's CAs, as MAIL_CA_FILE is not set"
    if exc.verify_code in _NAME_MISMATCH:
        hint = "MAIL_SERVER must be a name (or address) that the certificate is issued for"
    else:
        hint = "for a relay whose certificate comes from a private CA, set MAIL_CA_FILE to that CA's PEM file"
    reason = (exc.verify_message or str(exc)).rstrip(".")
    return TLSFailure(
        f"The mail server's certificate could not be verified ({reason}), so nothing was sent. "
        f"It was checked against {checked}; {hint}."
    )


def _starttls(smtp: _SMTP, context: ssl.SSLContext, config: Mapping[str, Any]) -> None:
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("starttls"):
        raise smtplib.SMTPNotSupportedError(
            "MAIL_USE_TLS is set but the mail server does not offer STARTTLS; nothing was sent "
            "(mail never falls back to plain text)."
        )
    try:
        smtp.starttls(context=context)
    except ssl.SSLError as exc:
        raise _tls_failure(exc, config) from exc


def connect(config: Mapping[str, Any]) -> Session:
    """A session ready for MAIL FROM: TLS up (if configured), then logged in (if configured).

    The caller ends it with hang_up; if setting it up fails, it is closed here.
    Expects settings that passed check_settings.
    """
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config.get("MAIL_TIMEOUT", 30)
    use_tls, use_ssl = config.get("MAIL_USE_TLS"), config.get("MAIL_USE_SSL")
    context = tls_context(config) if use_tls or use_ssl else None
    if use_ssl:
        try:
            smtp = _SMTP_SSL(host, port, timeout=timeout, context=context)
        except ssl.SSLError as exc:
            raise _tls_failure(exc, config) from exc
    else:
        smtp = _SMTP(host, port, timeout=timeout)
    try:
        if use_tls:
            _starttls(smtp, context, config)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        hang_up(smtp)
        raise
    return smtp


def hang_up(smtp: Session) -> None:
    # Once the server has said 250 the message is delivered: a failing QUIT must not
    # turn that into a retry (and a second copy).
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


class DeliveryUncertain(Exception):
    """The server had the whole message but no reply came: it may have accepted it."""


class _Stale(Exception):
    """A kept connection was gone before this message went out: nothing of it was handed over."""


class Relay:
    """One SMTP session kept across messages, opened at the first send and again once it is lost.

    A new session costs a TCP (and TLS) handshake, EHLO and login: 29 % of delivery time when each
    message had its own. After MESSAGES_PER_SESSION it is renewed anyway, as relays often cap the
    messages they take on one connection.
    """

    MESSAGES_PER_SESSION = 100

    def __init__(self, config: Mapping[str, Any]):
        self.config = config
        self.session: Session | None = None
        self.sent_on_session = 0
        self.sessions = 0

    def send(self, email, recipient: str) -> None:
        """Hand one message over; raises what smtplib raises, or DeliveryUncertain."""
        try:
            self._send(email, recipient)
        except _Stale:
            # The server dropped the connection we kept (an idle timeout, a cap of messages per connection)
            # before this message went out, so sending it on a fresh one cannot make a second copy.
            self._send(email, recipient)

    def _send(self, email, recipient: str) -> None:
        if self.session is not None and (self.session.sock is None
                                         or self.sent_on_session >= self.MESSAGES_PER_SESSION):
            self.close()
        kept = self.session is not None
        if self.session is None:
            self.session = connect(self.config)
            self.sessions += 1
            self.sent_on_session = 0
        session = self.session
        session.handed_over = False
        self.sent_on_session += 1
        try:
            # The envelope, not the To header, decides who gets it: only this one address.
            session.send_message(email, to_addrs=[recipient])
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            # The server answered: a definite refusal, after which smtplib has reset the session for the
            # next message, or closed it on a 421 ("closing connection").
            if session.sock is None:
                self.close()
                if kept and not session.handed_over:
                    raise _Stale() from None
            raise
        except OSError as exc:  # SMTPServerDisconnected and timeouts (smtplib's errors are OSErrors too)
            self.close()
            if session.handed_over:
                raise DeliveryUncertain(f"{type(exc).__name__}: {exc}") from exc
            if kept:
                raise _Stale() from exc
            raise

    def close(self) -> None:
        if self.session is not None:
            session, self.session = self.session, None
            hang_up(session)
