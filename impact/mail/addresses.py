"""Email addresses: the one check and normal form every address goes through before it is stored.

Mail is sent to exactly what is stored (the envelope recipient is set from it), and opt-outs
and "one card per email" compare stored addresses, so an address must be a bare mailbox:
no display name, comment, list, quoted part or encoded word, each of which could make a
mail library read a different (or several) recipients out of the same text.
"""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254
EXAMPLE = "name@council.gov.uk"


class AddressError(ValueError):
    """Why an address cannot be used, worded for the person who typed it."""


def normalise_address(raw: str) -> str:
    """The address in its stored form (lower case, domain in ASCII), or AddressError."""
    value = (raw or "").replace("\x00", "").strip()
    if not value:
        raise AddressError("Enter an email address.")
    if len(value) > MAX_LENGTH:
        raise AddressError(f"An email address has at most {MAX_LENGTH} characters.")
    if "=?" in value:
        # RFC 2047 encoded words are valid characters in a local part, but mail readers decode them.
        raise AddressError(f"Enter an email address like {EXAMPLE}. It may not contain “=?”.")
    try:
        checked = validate_email(
            value, check_deliverability=False, allow_smtputf8=False, allow_display_name=False,
            allow_quoted_local=False, allow_domain_literal=False, allow_empty_local=False,
        )
    except EmailNotValidError as exc:
        raise AddressError(f"Enter an email address like {EXAMPLE}. {exc}") from None
    address = checked.ascii_email.lower()
    if len(address) > MAX_LENGTH:
        raise AddressError(f"An email address has at most {MAX_LENGTH} characters.")
    return address


def is_normal_address(value: str) -> bool:
    """Whether a stored value is an address in normal form (rows from before the check may not be)."""
    try:
        return normalise_address(value) == value
    except AddressError:
        return False
