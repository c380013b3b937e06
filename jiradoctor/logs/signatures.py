"""The catalogue: log lines we know, each captured by someone from a real system and published.

Every :class:`Signature` names the page its line was copied from (``sources``) and keeps the line
as published (``captured``: a test replays each one inside a realistic log). A signature matches
in two steps: ``needle``, a fixed string searched in the raw bytes (cheap: most of a multi-GB log is
never decoded), then ``pattern`` on the decoded record, which captures what the finding names.
Lines we do not know are not guessed at: an ERROR record that no signature explains is counted
(``logs/unrecognised-errors``). docs/LOG-SIGNATURES.md lists the same catalogue for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

JIRA_KINDS = frozenset({"jira"})
SECURITY_KINDS = frozenset({"security"})
TOMCAT_KINDS = frozenset({"catalina", "jira"})


@dataclass(frozen=True)
class Signature:
    """One known line: how to find it, what it means, and where it was captured."""

    id: str
    needle: bytes
    pattern: re.Pattern[str]
    kinds: frozenset[str]
    meaning: str
    captured: tuple[str, ...]
    sources: tuple[str, ...]


OAUTH_PROBLEM = Signature(
    id="oauth-problem",
    needle=b"oauth_problem",
    # "oauth_problem=signature_invalid" (the problem as Jira's OAuth service provider logs it) and
    # net.oauth's OAuthProblemException, whose toString puts "oauth_problem: x" on its own line
    pattern=re.compile(r"oauth_problem\"?\s*[=:]\s*\"?([a-z_]{3,60})"),
    kinds=JIRA_KINDS,
    meaning="Jira refused an incoming OAuth 1.0a request (its service provider names the oauth_problem)",
    captured=(
        # https://confluence.atlassian.com/kb/oauth-error-oauth_problem-signature_invalid-720406720.html
        # ("The following appears in the application log")
        "oauth_problem=signature_invalid",
        # https://confluence.atlassian.com/applinks/oauth-troubleshooting-guide-790632058.html
        # ("You may see this error message in the Atlassian application logs")
        "oauth_problem=consumer_key_unknown",
        "oauth_problem=timestamp_refused",
        # net.oauth's exception as logged, with the base string the provider computed
        # (openequella/openEQUELLA#138, the same net.oauth library Jira's OAuth provider is built on)
        "net.oauth.OAuthProblemException: signature_invalid \n"
        "  oauth_problem: signature_invalid \n"
        "  oauth_signature: LY/5Wi+49hTGlg+KmGAMgMoLKZA= \n"
        "  oauth_signature_base_string: POST&http%3A%2F%2Fdonald-pc%3A5194%2F65CAL%2Fhttp%253A%2F%2Fdonald-pc%253A"
        "5194%2F65CAL%2Finteg%2Fgen%2F40cd5e34-e743-4bab-8468-05e8dbea0d08%2F1%2F&attachment.uuid%3Dedc7ea98-3604-"
        "4f63-9ce3-033cd3d39e85%26attachment.uuid%3Dedc7ea98-3604-4f63-9ce3-033cd3d39e85%26context_id%3D_4292_1",
    ),
    sources=(
        "https://confluence.atlassian.com/kb/oauth-error-oauth_problem-signature_invalid-720406720.html",
        "https://confluence.atlassian.com/applinks/oauth-troubleshooting-guide-790632058.html",
        "https://github.com/openequella/openEQUELLA/issues/138",
    ),
)

PKIX = Signature(
    id="pkix",
    needle=b"PKIX path building failed",
    pattern=re.compile(r"PKIX path building failed(?::\s*(\S[^\n]{0,300}))?"),
    kinds=TOMCAT_KINDS,
    meaning="Jira (calling out: application links, webhooks, gadgets) does not trust the other side's certificate",
    captured=(
        # https://confluence.atlassian.com/kb/connecting-to-ssl-services-802171215.html and
        # https://support.atlassian.com/atlassian-cloud/kb/cloud-applinks-and-ssl/
        "javax.net.ssl.SSLHandshakeException: sun.security.validator.ValidatorException: PKIX path building failed: "
        "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to "
        "requested target",
        # Atlassian's own HTTP client (the one application links use) in reportportal/reportportal#1834
        "java.lang.RuntimeException: javax.net.ssl.SSLHandshakeException: PKIX path building failed: "
        "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to "
        "requested target\n"
        "\tat com.atlassian.httpclient.apache.httpcomponents.ApacheAsyncHttpClient.lambda$doExecute$4"
        "(ApacheAsyncHttpClient.java:345)",
    ),
    sources=(
        "https://confluence.atlassian.com/kb/connecting-to-ssl-services-802171215.html",
        "https://support.atlassian.com/atlassian-cloud/kb/cloud-applinks-and-ssl/",
        "https://github.com/reportportal/reportportal/issues/1834",
    ),
)

APPLINK_AUTH_FAILED = Signature(
    id="applink-auth-failed",
    needle=b"Authentication failed for application link",
    pattern=re.compile(
        r"Authentication failed for application link (?P<name>.{1,200}?) \((?P<id>[0-9a-f-]{36})\) (?P<url>\S+)"
    ),
    kinds=JIRA_KINDS,
    meaning="Jira's own request through an application link was refused by the linked application",
    captured=(
        # https://confluence.atlassian.com/fishkb/application-link-authentication-fails-due-to-bad-url-signature-329982379.html
        "2013-05-17 09:02:11,288 http-bio-8081-exec-49 WARN mara 542x26597x1 1k9a2i5,0:0:0:0:0:0:0:1 "
        "/rest/applinks/1.0/permission/reciprocate-entity-create/a740ca68-a1de-3dd0-89ef-8f363372ee73 [] "
        "Authentication failed for application link crucible (a740ca68-a1de-3dd0-89ef-8f363372ee73) "
        "http://localhost:8060 com.atlassian.applinks.application.fecru.FishEyeCrucibleApplicationTypeImpl@538d815. "
        "Response headers: {WWW-Authenticate=OAuth realm=\"https%3A%2F%2Fcrucible.hotname\", Vary=Accept, "
        "Expires=Thu, 01-Jan-1970 00:00:00 GMT, Set-Cookie=FESESSIONID=4abciz4kqjnw1nekxe11p5144;Path=/;HttpOnly, "
        "X-Seraph-Trusted-App-Error=BAD_SIGNATURE;\tBad signature for URL: {0};\t[\"https://crucible.hotname/rest/"
        "applinks/1.0/permission/create-entity/a3425419-3edd-3a7d-842f-a0753ab155f4\"], "
        "X-Seraph-Trusted-App-Status=ERROR, Connection=close, Content-Type=application/xml, X-AUSERNAME=anonymous, "
        "Server=Jetty(6.1.26), Cache-Control=no-transform} body: <?xml version=\"1.0\"",
    ),
    sources=(
        "https://confluence.atlassian.com/fishkb/application-link-authentication-fails-due-to-bad-url-signature-"
        "329982379.html",
    ),
)

REQUEST_TARGET = Signature(
    id="request-target",
    needle=b"Invalid character found in the request target",
    pattern=re.compile(r"Invalid character found in the request target(?: \[(?P<target>[^\]\n]{0,300})\s*\])?"),
    kinds=TOMCAT_KINDS,
    meaning="Tomcat refused a request (HTTP 400) whose target holds characters RFC 7230/3986 do not allow",
    captured=(
        # catalina.out, https://www.oops4u.com/2447 (Tomcat 8.5/9 Http11Processor)
        "29-Sep-2019 15:12:51.096 INFO [http-nio-8080-exec-29] org.apache.coyote.http11.Http11Processor.service "
        "Error parsing HTTP request header\n"
        " Note: further occurrences of HTTP header parsing errors will be logged at DEBUG level.\n"
        "        java.lang.IllegalArgumentException: Invalid character found in the request target. The valid "
        "characters are defined in RFC 7230 and RFC 3986\n"
        "                at org.apache.coyote.http11.Http11InputBuffer.parseRequestLine(Http11InputBuffer.java:483)",
    ),
    sources=(
        "https://www.oops4u.com/2447",
        "https://stackoverflow.com/questions/46705090/strange-requests-in-access-logs-lead-to-illegalargumentexception",
    ),
)

LOGIN_FAILED = Signature(
    id="login-failed",
    needle=b"has FAILED authentication",
    pattern=re.compile(
        r"The user '(?P<user>[^'\n]{0,200})' has FAILED authentication\.\s+Failure count equals (?P<n>\d+)"
    ),
    kinds=SECURITY_KINDS,
    meaning="a login failed (wrong or stale password); each failure counts towards Jira's CAPTCHA",
    captured=(
        # https://support.atlassian.com/jira/kb/user-receives-repeated-captcha-prompts-on-login-to-jira-data-center/
        "/rest/gadget/1.0/login The user 'myuser' has FAILED authentication. Failure count equals 3",
        # atlassian-jira-security.log sample in Atlassian Community's FAQ (2023):
        # https://community.atlassian.com/t5/%E3%82%A2%E3%83%88%E3%83%A9%E3%82%B7%E3%82%A2%E3%83%B3%E5%85%AC%E5%BC%8F-%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%83%95%E3%82%A9%E3%83%BC%E3%83%A9%E3%83%A0-articles/FAQ-Jira-Confluence-Server-Data-Center-%E3%81%AB%E3%81%8A%E3%81%84%E3%81%A6/ba-p/2414521
        "2023-06-09 05:11:11,681+0000 http-nio-8080-exec-17 anonymous 311x2831x1 1qvu69a xxx.xxx.xxx.x /login.jsp "
        "The user 'admin' has FAILED authentication.  Failure count equals 1",
    ),
    sources=(
        "https://support.atlassian.com/jira/kb/user-receives-repeated-captcha-prompts-on-login-to-jira-data-center/",
        "https://community.atlassian.com/t5/%E3%82%A2%E3%83%88%E3%83%A9%E3%82%B7%E3%82%A2%E3%83%B3%E5%85%AC%E5%BC%8F"
        "-%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%83%95%E3%82%A9%E3%83%BC%E3%83%A9%E3%83%A0-articles/FAQ-Jira-Confluence-"
        "Server-Data-Center-%E3%81%AB%E3%81%8A%E3%81%84%E3%81%A6/ba-p/2414521",
    ),
)

LOGIN_NOT_ALLOWED = Signature(
    id="login-not-allowed",
    needle=b"tried to login but they do not have USE permission",
    pattern=re.compile(
        r"'(?P<user>[^'\n]{0,200})' tried to login but they do not have USE permission or weren't found"
    ),
    kinds=SECURITY_KINDS,
    meaning="a login named a user Jira does not know, or one without application access",
    captured=(
        # the same Atlassian Community FAQ sample (2023)
        "2023-06-09 05:11:11,664+0000 http-nio-8080-exec-17 anonymous 311x2831x1 1qvu69a xxx.xxx.xxx.x /login.jsp "
        "login : 'admin' tried to login but they do not have USE permission or weren't found. Deleting remember me "
        "cookie.",
    ),
    sources=LOGIN_FAILED.sources[1:],
)

CATALOGUE: tuple[Signature, ...] = (OAUTH_PROBLEM, PKIX, APPLINK_AUTH_FAILED, REQUEST_TARGET, LOGIN_FAILED,
                                    LOGIN_NOT_ALLOWED)

# Records at this level that no signature explains are counted, never guessed at.
ERROR_NEEDLES = {"jira": b" ERROR ", "security": b" ERROR ", "catalina": b" SEVERE ", "access": b""}


def needles_for(kind: str) -> list[bytes]:
    """The fixed strings worth searching in a file of this kind (one fast pass each)."""
    found = [s.needle for s in CATALOGUE if kind in s.kinds]
    error = ERROR_NEEDLES.get(kind, b"")
    return found + ([error] if error else [])
