"""Which OAuth 1.0a signature method the integration signs with, and what Jira accepts.

Why: Jira's application links accept RSA-SHA1 only (JIRA-FACTS §1). jiradoctor signs RSA-SHA1
itself, so its own call passing says nothing about an integration built on a library whose default
is another method: that integration fails on a healthy Jira. The defaults below were read in the
libraries' own sources (issue 25):

- atlassian-python-api (``atlassian/rest_client.py``): ``signature_method=oauth_dict.get(
  "signature_method", SIGNATURE_RSA)`` where ``SIGNATURE_RSA`` is imported as oauthlib's
  ``SIGNATURE_RSA_SHA512`` whenever oauthlib has it (PR #1049 "Switch from SHA1 to SHA2",
  2022-09; the key ``signature_method`` since PR #1160, 2023-05).
- pycontribs ``jira`` (``JIRA._create_oauth_session``, 3.5.1+ after PR #1643, read in 3.10.5):
  tries ``oauth["signature_method"]`` if given, then HMAC-SHA1, then RSA-SHA1, calling ``/myself``
  after each; Jira Server 8.20.10 answered the HMAC-SHA1 try with 400
  ``oauth_problem=signature_method_rejected`` (pycontribs/jira#1677, captured).
- npm ``jira-client``: RSA-SHA1 (its base string in jira-node/node-jira-client#44, captured).

Whether Jira answers ``signature_method_rejected`` for RSA-SHA256/RSA-SHA512 in those words is
not captured: unknown (the lab answers so, as for HMAC-SHA1).
"""

from __future__ import annotations

from dataclasses import dataclass

JIRA_ACCEPTS = "RSA-SHA1"
SIGNATURE_METHODS = ("RSA-SHA1", "RSA-SHA256", "RSA-SHA512", "HMAC-SHA1", "PLAINTEXT")


@dataclass(frozen=True)
class Library:
    """A client library's OAuth 1.0a behaviour: ``tries`` the methods it signs with, in order,
    until one works (one method: it never falls back); ``fix`` the setting that makes it RSA-SHA1."""

    name: str
    tries: tuple[str, ...]
    source: str
    fix: str


LIBRARIES: dict[str, Library] = {
    "atlassian-python-api": Library(
        "atlassian-python-api",
        ("RSA-SHA512",),
        "its default since 2022 (PR #1049), when oauthlib offers RSA-SHA512",
        "Jira(url, oauth={..., 'signature_method': oauthlib.oauth1.SIGNATURE_RSA})  # RSA-SHA1",
    ),
    "jira": Library(
        "jira (pycontribs)",
        ("HMAC-SHA1", "RSA-SHA1"),
        "since 3.5.1 (PR #1643) it tries HMAC-SHA1 first and falls back to RSA-SHA1 after Jira's refusal",
        "JIRA(server, oauth={..., 'signature_method': oauthlib.oauth1.SIGNATURE_RSA})  # RSA-SHA1",
    ),
    "jira-client": Library(
        "jira-client (npm)",
        ("RSA-SHA1",),
        "it signs RSA-SHA1",
        "nothing to change",
    ),
}
CLIENT_LIBRARIES = tuple(LIBRARIES)


def common_defaults() -> str:
    """One sentence naming the common libraries whose default is not what Jira accepts."""
    return (
        "atlassian-python-api signs RSA-SHA512 by default; pycontribs jira (3.5.1+) tries HMAC-SHA1 first "
        "and only then RSA-SHA1"
    )


def library_for_method(method: str | None) -> str:
    """A hint naming the library whose default a refused method is, for a refusal seen in a HAR."""
    if method == "RSA-SHA512":
        return " (atlassian-python-api's default)"
    if method == "HMAC-SHA1":
        return " (pycontribs jira 3.5.1+ tries it first)"
    return ""
