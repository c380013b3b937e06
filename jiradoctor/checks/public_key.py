"""public-key: is the text pasted into Jira's application link the public half of the consumer's key?

Title: Public key pasted into Jira.
Codes: public-key/certificate, public-key/private-key-pasted, public-key/pkcs1, public-key/armor,
public-key/whitespace, public-key/invalid, public-key/not-rsa, public-key/weak, public-key/pair-mismatch,
public-key/private-key-format, public-key/private-key-encrypted, public-key/private-key-invalid,
public-key/der, public-key/binary, public-key/lookalike-character, public-key/invisible-character,
public-key/empty-file, public-key/ok.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Sequence

from jiradoctor.context import CheckContext
from jiradoctor.jira import lookalike, pem
from jiradoctor.jira.integrations import IntegrationProfile, paste_text
from jiradoctor.model import Finding, Status
from jiradoctor.registry import Check
from jiradoctor.visible import hidden_characters

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

    from jiradoctor.jira.pem import PrivateKeyText


DOCS = ("https://developer.atlassian.com/server/jira/platform/oauth/",)
MIN_RSA_BITS = 2048




def _q(path: str | None, fallback: str) -> str:
    return shlex.quote(path) if path else fallback


def _paste_commands(profile: IntegrationProfile, source: str) -> tuple[str, ...]:
    """openssl commands that turn ``source`` (a command printing an SPKI PEM) into the paste text."""
    if profile.public_key_armor == "omit":
        return (f"{source} | grep -v -- '-----' | tr -d '\\r\\n'",)
    return (source,)


def key_bits(profile: IntegrationProfile) -> int:
    """The size of a new key for this integration: what its guide asks, never below MIN_RSA_BITS
    (Zephyr's guide shows 1024 and says 2048 is supported; public-key/weak warns below 2048)."""
    return max(MIN_RSA_BITS, int(getattr(profile, "key_bits", 0) or 0))


def new_pair_commands(profile: IntegrationProfile) -> tuple[str, ...]:
    """Generate a NEW pair (never re-derive from a leaked key): the integration's key size, PKCS#8
    where its guide wants the .pcks8 file, then the public half in the form its guide pastes."""
    steps = [f"openssl genrsa -out jira_privatekey.pem {key_bits(profile)}"]
    if profile.private_key_pkcs8:
        steps.append("openssl pkcs8 -topk8 -nocrypt -in jira_privatekey.pem -out jira_privatekey.pcks8")
    return (*steps, *_paste_commands(profile, "openssl rsa -in jira_privatekey.pem -pubout"))


def public_pem_source(kind: str, path: str | None) -> str:
    """A command printing the SubjectPublicKeyInfo PEM held (in whatever form) by the given file."""
    if kind == "certificate":
        return f"openssl x509 -pubkey -noout -in {_q(path, 'jira_publickey.cer')}"
    if kind == "pkcs1":
        return f"openssl rsa -RSAPublicKey_in -in {_q(path, 'jira_publickey.pem')} -pubout"
    return f"openssl pkey -pubin -in {_q(path, 'jira_publickey.pem')}"


def judge_unreadable_text(
    text: str, path: str | None, profile: IntegrationProfile, private_path: str | None
) -> list[Finding]:
    """What the eye cannot see in a pasted key: binary or DER bytes, look-alike letters, hidden
    characters. Each is its own code, named with its position and the fix."""
    binary = lookalike.binary_input(text)
    if binary is not None and binary.kind == "der":
        qpath = _q(path, "jira_publickey.cer")
        source = (f"(openssl x509 -inform der -in {qpath} -pubkey -noout 2>/dev/null"
                  f" || openssl pkey -pubin -inform der -in {qpath})")
        return [
            Finding(
                "public-key/der",
                Status.FAIL,
                "The public key file is binary DER (it starts with an ASN.1 SEQUENCE), not the text Jira's field "
                "takes; a DER certificate or key cannot be pasted.",
                evidence={"first_non_text_at": binary.position, "non_text_characters": binary.count},
                remediation=("Convert the DER file to the text form and paste what the command prints.",),
                commands=_paste_commands(profile, source),
                docs=DOCS,
            )
        ]
    if binary is not None:
        return [
            Finding(
                "public-key/binary",
                Status.FAIL,
                f"The public key file is not text: {binary.count} byte(s) are not UTF-8 text, the first at position "
                f"{binary.position + 1}. It is not a key (a keystore, an archive or an image?).",
                evidence={"first_non_text_at": binary.position, "non_text_characters": binary.count},
                remediation=(
                    "Give the public key file the integration generated (text starting with -----BEGIN PUBLIC "
                    "KEY-----), or print it from the private key with the command below.",
                ),
                commands=_paste_commands(profile, f"openssl rsa -in {_q(private_path, 'jira_privatekey.pem')} -pubout"),
                docs=DOCS,
            )
        ]
    findings: list[Finding] = []
    twins = lookalike.lookalikes(text)
    if twins:
        fixed = pem.read_public_key(lookalike.skeleton(text))
        paste = (
            paste_text(profile, fixed.public_key)
            if fixed.public_key is not None and fixed.kind in ("spki", "certificate", "pkcs1")
            else None
        )
        findings.append(
            Finding(
                "public-key/lookalike-character",
                Status.FAIL,
                "The key text contains letters that only look like base64: "
                + "; ".join(t.describe() for t in twins[:5])
                + (f" (+{len(twins) - 5} more)" if len(twins) > 5 else "")
                + ".",
                evidence={
                    "characters": [t.to_json() for t in twins[:20]],
                    **({"paste_into_jira": paste} if paste else {}),
                },
                remediation=(
                    "Copy the key from the file the integration generated, not from a web page or chat; paste the "
                    "text below."
                    if paste
                    else "Copy the key again from the file the integration generated, not from a web page or chat.",
                ),
                commands=_paste_commands(profile, f"openssl rsa -in {_q(private_path, 'jira_privatekey.pem')} -pubout"),
                docs=DOCS,
            )
        )
    hidden = [(i, n) for i, n in hidden_characters(text) if text[i] != "\r"]
    if hidden:
        cleaned = "".join(ch for i, ch in enumerate(text) if i not in {p for p, _ in hidden})
        fixed = pem.read_public_key(cleaned)
        paste = paste_text(profile, fixed.public_key) if fixed.public_key is not None else None
        findings.append(
            Finding(
                "public-key/invisible-character",
                Status.FAIL,
                "The key text contains invisible characters: "
                + ", ".join(f"{n} at position {p + 1}" for p, n in hidden[:5])
                + (f" (+{len(hidden) - 5} more)" if len(hidden) > 5 else "")
                + ".",
                evidence={
                    "characters": [{"position": p + 1, "name": n} for p, n in hidden[:20]],
                    **({"paste_into_jira": paste} if paste else {}),
                },
                remediation=("Paste the text below instead (the same key without the invisible characters).",)
                if paste
                else ("Copy the key again from the file the integration generated.",),
                commands=_paste_commands(profile, f"openssl rsa -in {_q(private_path, 'jira_privatekey.pem')} -pubout"),
                docs=DOCS,
            )
        )
    return findings


def judge_public_text(
    text: str, path: str | None, profile: IntegrationProfile, private_path: str | None
) -> tuple[list[Finding], PublicKeyTypes | None]:
    """Findings about the public key text alone; also returns the key it holds, if any."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    findings: list[Finding] = judge_unreadable_text(text, path, profile, private_path)
    if findings:
        return findings, None
    result = pem.read_public_key(text)
    strict = profile.public_key_strict_whitespace
    if result.kind == "private":
        findings.append(
            Finding(
                "public-key/private-key-pasted",
                Status.FAIL,
                "The public key text holds PRIVATE key material. Whoever saw it can sign as this integration.",
                evidence={"labels": list(result.labels)},
                remediation=(
                    "Treat this key pair as compromised: generate a new one, paste only the public half into Jira's "
                    "application link, and keep the private key in the integration only.",
                ),
                commands=new_pair_commands(profile),
                docs=DOCS,
            )
        )
        return findings, None
    if result.kind in ("invalid", "empty"):
        findings.append(
            Finding(
                "public-key/invalid",
                Status.FAIL,
                f"The public key text cannot be read: {result.error}.",
                evidence={"armored": result.armored, "labels": list(result.labels), "length": len(text)},
                remediation=(
                    "Copy the whole public key again from the file the integration generated; the text was "
                    "probably cut while copying.",
                ),
                commands=_paste_commands(profile, f"openssl rsa -in {_q(private_path, 'jira_privatekey.pem')} -pubout"),
                docs=DOCS,
            )
        )
        return findings, None
    key = result.public_key
    assert key is not None
    paste = paste_text(profile, key)
    if result.kind == "certificate":
        findings.append(
            Finding(
                "public-key/certificate",
                Status.FAIL,
                "A certificate was given where Jira's application link needs a public key.",
                evidence={
                    "certificate_subject": result.certificate_subject,
                    "extracted_key_fingerprint": pem.fingerprint(key),
                    "paste_into_jira": paste,
                },
                remediation=(
                    "Paste the public key extracted from the certificate (shown as paste_into_jira) instead of "
                    "the certificate.",
                ),
                commands=_paste_commands(profile, f"openssl x509 -pubkey -noout -in {_q(path, 'jira_publickey.cer')}"),
                docs=DOCS,
            )
        )
    elif result.kind == "pkcs1":
        findings.append(
            Finding(
                "public-key/pkcs1",
                Status.FAIL,
                "The key is in PKCS#1 form (BEGIN RSA PUBLIC KEY); Jira expects an X.509 SubjectPublicKeyInfo (BEGIN "
                "PUBLIC KEY).",
                evidence={"labels": list(result.labels), "fingerprint": pem.fingerprint(key), "paste_into_jira": paste},
                remediation=("Convert the key to SubjectPublicKeyInfo and paste that.",),
                commands=_paste_commands(
                    profile, f"openssl rsa -RSAPublicKey_in -in {_q(path, 'jira_publickey.pem')} -pubout"
                ),
                docs=DOCS,
            )
        )
    if result.armored and profile.public_key_armor == "omit":
        findings.append(
            Finding(
                "public-key/armor",
                Status.FAIL,
                f"The text includes BEGIN/END lines; {profile.name}'s guide says to paste the key without them.",
                evidence={"labels": list(result.labels), "paste_into_jira": paste},
                remediation=("Paste only the base64 text between the BEGIN and END lines, on one line.",),
                commands=_paste_commands(profile, public_pem_source(result.kind, path)),
                docs=DOCS,
            )
        )
    elif not result.armored and profile.public_key_armor == "include":
        findings.append(
            Finding(
                "public-key/armor",
                Status.WARN,
                f"The text has no BEGIN/END lines; {profile.name}'s guide pastes the full PEM.",
                evidence={"paste_into_jira": paste},
                docs=DOCS,
            )
        )
    if result.extra_blocks:
        findings.append(
            Finding(
                "public-key/invalid",
                Status.FAIL,
                f"The text holds {result.extra_blocks + 1} PEM blocks ({', '.join(result.labels)}); Jira's field takes "
                f"exactly one public key.",
                evidence={"labels": list(result.labels), "paste_into_jira": paste},
                docs=DOCS,
            )
        )
    if result.whitespace:
        findings.append(
            Finding(
                "public-key/whitespace",
                Status.FAIL if strict else Status.WARN,
                "The key text has stray whitespace: "
                + "; ".join(f"{i.what} ({i.where})" for i in result.whitespace)
                + ".",
                evidence={
                    "issues": [{"what": i.what, "where": i.where} for i in result.whitespace],
                    "paste_into_jira": paste,
                },
                remediation=(
                    "Paste the text below exactly, with no spaces, tabs or blank lines before, inside or after it.",
                ),
                commands=_whitespace_commands(
                    profile, path, spki_or_bare=not result.armored or set(result.labels) <= {"PUBLIC KEY"}
                ),
                docs=DOCS,
            )
        )
    if not isinstance(key, rsa.RSAPublicKey):
        findings.append(
            Finding(
                "public-key/not-rsa",
                Status.FAIL,
                f"The key is a {pem.key_description(key)}; Jira's OAuth 1.0a application links sign with "
                "RSA-SHA1 only.",
                evidence={"fingerprint": pem.fingerprint(key)},
                remediation=("Generate an RSA key pair for the integration.",),
                commands=new_pair_commands(profile),
                docs=DOCS,
            )
        )
    elif key.key_size < MIN_RSA_BITS:
        findings.append(
            Finding(
                "public-key/weak",
                Status.WARN,
                f"The RSA key has {key.key_size} bits; use at least {MIN_RSA_BITS}.",
                evidence={"bits": key.key_size, "fingerprint": pem.fingerprint(key)},
                remediation=(
                    "Generate a 2048-bit (or larger) key pair and update both the integration and Jira's "
                    "application link.",
                ),
                commands=new_pair_commands(profile),
                docs=DOCS,
            )
        )
    return findings, key


def _whitespace_commands(profile: IntegrationProfile, path: str | None, spki_or_bare: bool) -> tuple[str, ...]:
    """Print the key without stray whitespace. ``spki_or_bare``: the text is a PUBLIC KEY block or bare base64
    (it is rebuilt from its base64 alone, so a body pasted without BEGIN/END lines works too); other blocks
    (RSA PUBLIC KEY) keep their own lines, only trimmed."""
    qpath = _q(path, "jira_publickey.pem")
    if profile.public_key_armor == "omit":
        return (f"grep -v -- '-----' {qpath} | tr -d ' \\t\\r\\n'",)
    if spki_or_bare:
        return (
            "{ echo '-----BEGIN PUBLIC KEY-----'; "
            f"grep -v -- '-----' {qpath} | tr -d ' \\t\\r\\n' | fold -w 64; echo; "
            "echo '-----END PUBLIC KEY-----'; } | openssl pkey -pubin",
        )
    return (f"sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' {qpath} | grep -v '^$' | openssl pkey -pubin",)


def judge_private_text(
    text: str, path: str | None, profile: IntegrationProfile, read: PrivateKeyText | None = None
) -> tuple[list[Finding], PublicKeyTypes | None]:
    findings: list[Finding] = []
    result = read if read is not None else pem.read_private_key(text)  # the Target's, parsed once
    qpath = _q(path, "jira_privatekey.pem")
    if result.encrypted:
        findings.append(
            Finding(
                "public-key/private-key-encrypted",
                Status.FAIL,
                "The private key is protected by a passphrase; OAuth consumers need the key unencrypted, so it cannot "
                "be used (or checked) as it is.",
                evidence={"format": result.format},
                remediation=(
                    "Decrypt it once into an unencrypted PKCS#8 file and give that to the integration; keep the "
                    "file private.",
                ),
                commands=(f"openssl pkcs8 -topk8 -nocrypt -in {qpath} -out jira_privatekey.pcks8",),
            )
        )
        return findings, None
    if result.private_key is None:
        findings.append(
            Finding(
                "public-key/private-key-invalid",
                Status.FAIL,
                f"The private key file cannot be read: {result.error}.",
                evidence={"format": result.format, "label": result.label},
                remediation=(
                    "Give the private key file the integration was configured with (PEM, BEGIN PRIVATE KEY).",
                ),
            )
        )
        return findings, None
    if result.format != "pkcs8" and profile.private_key_pkcs8:
        findings.append(
            Finding(
                "public-key/private-key-format",
                Status.FAIL,
                f"The private key is {result.format.upper()} ({result.label or 'bare base64'}); {profile.name} needs "
                f"PKCS#8 (BEGIN PRIVATE KEY).",
                evidence={"format": result.format, "label": result.label},
                remediation=("Convert the key to PKCS#8 and give the integration the new file.",),
                commands=(f"openssl pkcs8 -topk8 -nocrypt -in {qpath} -out jira_privatekey.pcks8",),
            )
        )
    return findings, result.public_key


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    target, profile = ctx.target, ctx.profile
    findings: list[Finding] = []
    public_key: PublicKeyTypes | None = None
    private_public: PublicKeyTypes | None = None
    empty = [
        (what, path)
        for what, text, path in (
            ("--public-key", target.public_key, target.public_key_path),
            (
                "--private-key",
                target.private_key.reveal() if target.private_key is not None else None,
                target.private_key_path,
            ),
        )
        if text is not None and not text.strip()
    ]
    for what, path in empty:
        findings.append(
            Finding(
                "public-key/empty-file",
                Status.FAIL,
                f"The {what} file {path!r} is empty (or whitespace only): there is no key in it.",
                evidence={"option": what, "file": path},
                remediation=(
                    "Give the file that holds the key: for the public key, the text pasted "
                    "into Jira's application link; for the private key, the integration's PEM "
                    "file.",
                ),
                subject=what,
            )
        )
    blank = {what for what, _ in empty}
    if target.public_key is not None and "--public-key" not in blank:
        if pem.contains_private_key(target.public_key):
            ctx.add_secret(target.public_key)  # the pasted private key is a secret now
        found, public_key = judge_public_text(
            target.public_key, target.public_key_path, profile, target.private_key_path
        )
        findings += found
    if target.private_key is not None and "--private-key" not in blank:
        found, private_public = judge_private_text(
            target.private_key.reveal(), target.private_key_path, profile, target.private_key_read
        )
        findings += found
    if public_key is not None and private_public is not None:
        if pem.fingerprint(public_key) != pem.fingerprint(private_public):
            findings.append(
                Finding(
                    "public-key/pair-mismatch",
                    Status.FAIL,
                    "The public key in Jira is not the public half of the integration's private key: every signature "
                    "will be signature_invalid.",
                    evidence={
                        "public_key_fingerprint": pem.fingerprint(public_key),
                        "private_key_public_half_fingerprint": pem.fingerprint(private_public),
                        "paste_into_jira": paste_text(profile, private_public),
                    },
                    remediation=(
                        "Replace the public key in Jira's application link (Incoming Authentication) with the "
                        "text below.",
                    ),
                    commands=_paste_commands(
                        profile, f"openssl rsa -in {_q(target.private_key_path, 'jira_privatekey.pem')} -pubout"
                    ),
                    docs=DOCS,
                )
            )
    if not any(f.status.rank >= Status.WARN.rank for f in findings):
        key = public_key or private_public
        evidence = {"fingerprint": pem.fingerprint(key), "key": pem.key_description(key)} if key is not None else {}
        if key is not None:
            evidence["paste_into_jira"] = paste_text(profile, key)
        what = "matches the private key" if public_key is not None and private_public is not None else "is well formed"
        findings.append(Finding("public-key/ok", Status.PASS, f"The public key {what}.", evidence=evidence))
    return findings


CHECK = Check(
    id="public-key",
    title="Public key pasted into Jira",
    explanation="""\
Looks at: the text pasted (or to paste) into the application link's public key field
(--public-key) and the integration's private key (--private-key).
Why it fails: a certificate, a PKCS#1 key or a private key pasted where Jira needs an X.509
public key; BEGIN/END lines the integration's guide says to leave out; stray spaces or line
breaks; a truncated paste; a key that is not RSA or too short; a public key that is not the pair
of the private key (then Jira answers signature_invalid to every request); a private key in a
format the integration cannot read (PKCS#8 needed by Zephyr Enterprise and Kendis) or protected
by a passphrase.
How to fix: paste the text the finding shows (the public half of the private key, in the form
the integration's guide asks for); the openssl commands that produce it are listed.""",
    judge=judge,
    inputs_any=("public_key", "private_key"),
    order=60,
    codes=(
        "public-key/certificate",
        "public-key/private-key-pasted",
        "public-key/pkcs1",
        "public-key/armor",
        "public-key/whitespace",
        "public-key/invalid",
        "public-key/not-rsa",
        "public-key/weak",
        "public-key/pair-mismatch",
        "public-key/private-key-format",
        "public-key/private-key-encrypted",
        "public-key/private-key-invalid",
        "public-key/der",
        "public-key/binary",
        "public-key/lookalike-character",
        "public-key/invisible-character",
        "public-key/empty-file",
        "public-key/ok",
    ),
)
