"""The Tomcat matrix's data: server.xml shapes, nginx proxy styles, client Host headers.

Shared by the model test (tests/realparts/test_tomcat_matrix.py) and the --proxy-config test, which both run
against one real Tomcat serving every shape and one real nginx serving every (shape, style) pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.realparts.tomcat import ServiceSpec

PUBLIC_NAME = "jira.example.test"
VALVE = "org.apache.catalina.valves.RemoteIpValve"


@dataclass(frozen=True)
class Shape:
    """One server.xml shape: connector attributes (one dict per connector), Context path, valve."""

    name: str
    connectors: tuple[dict[str, str], ...] = ({},)
    context: str = "/jira"
    valve: dict[str, str] | None = None
    valve_level: str = "Engine"

    @property
    def ssl(self) -> bool:
        return self.connectors[0].get("SSLEnabled") == "true"

    def service(self) -> ServiceSpec:
        connectors = []
        for i, attrs in enumerate(self.connectors):
            extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
            if attrs.get("SSLEnabled") == "true":
                connectors.append(
                    f'<Connector port="{{port{i}}}" address="127.0.0.1"'
                    ' protocol="org.apache.coyote.http11.Http11NioProtocol"'
                    f'{extra}><SSLHostConfig><Certificate certificateFile="{{cert}}" certificateKeyFile="{{key}}"/>'
                    "</SSLHostConfig></Connector>"
                )
            else:
                connectors.append(f'<Connector port="{{port{i}}}" address="127.0.0.1" protocol="HTTP/1.1"{extra}/>')
        valve = ""
        if self.valve is not None:
            valve = f'<Valve className="{VALVE}"' + "".join(f' {k}="{v}"' for k, v in self.valve.items()) + "/>"
        at = {level: (valve if level == self.valve_level else "") for level in ("Engine", "Host", "Context")}
        text = (
            f'<Service name="{{name}}">{"".join(connectors)}<Engine name="{{name}}" '
            f'defaultHost="localhost">{at["Engine"]}<Host name="localhost" appBase="webapps" autoDeploy="false" '
            f'deployOnStartup="false">{at["Host"]}<Context path="{self.context}" '
            f'docBase="{{docbase}}">{at["Context"]}</Context></Host></Engine></Service>'
        )
        return ServiceSpec(self.name, text, ports=len(self.connectors))


ATLASSIAN = {
    "maxThreads": "100",
    "minSpareThreads": "10",
    "connectionTimeout": "20000",
    "enableLookups": "false",
    "maxHttpHeaderSize": "8192",
    "useBodyEncodingForURI": "true",
    "acceptCount": "100",
    "disableUploadTimeout": "true",
    "bindOnInit": "false",
    "relaxedPathChars": "[]|",
    "relaxedQueryChars": "[]|^&#x60;&quot;",
}  # braces left out: str.format
TRUSTED_ONLY = {"internalProxies": "", "trustedProxies": r"127\.0\.0\.1"}

SHAPES: tuple[Shape, ...] = (
    Shape("bare"),
    Shape("bare_root", context=""),
    Shape("proxyname_only", ({"proxyName": PUBLIC_NAME},)),
    Shape("proxyport_only", ({"proxyPort": "8443"},)),
    Shape("proxyname_port80", ({"proxyName": PUBLIC_NAME, "proxyPort": "80"},)),
    Shape("scheme_https_only", ({"scheme": "https"},)),
    Shape("secure_only", ({"secure": "true"},)),
    Shape("https_proxy_443", ({"scheme": "https", "secure": "true", "proxyName": PUBLIC_NAME, "proxyPort": "443"},)),
    Shape("https_proxyport_8443", ({"scheme": "https", "proxyPort": "8443"},)),
    Shape("ssl_enabled", ({"SSLEnabled": "true"},)),
    Shape("ssl_enabled_scheme_http", ({"SSLEnabled": "true", "scheme": "http"},)),
    Shape("ctx_trailing_slash", context="/jira/"),
    Shape("ctx_nested", ({"proxyName": PUBLIC_NAME},), context="/tools/jira"),
    Shape(
        "two_connectors_bare_first",
        ({}, {"scheme": "https", "secure": "true", "proxyName": PUBLIC_NAME, "proxyPort": "443"}),
    ),
    Shape(
        "two_connectors_proxy_first",
        ({"scheme": "https", "secure": "true", "proxyName": PUBLIC_NAME, "proxyPort": "443"}, {}),
    ),
    Shape("valve_engine", valve={}),
    Shape("valve_host", valve={}, valve_level="Host"),
    Shape("valve_context", valve={}, valve_level="Context"),
    Shape("valve_proxyport_443", ({"proxyName": PUBLIC_NAME, "proxyPort": "443"},), valve={}),
    # a valve limited to the real proxy's address, nginx on 127.0.0.1: Tomcat ignores X-Forwarded-* (issue 24)
    Shape("valve_internal_elsewhere", valve={"internalProxies": r"10\.1\.2\.3"}),
    Shape("valve_trusted_only", valve=TRUSTED_ONLY),
    Shape("valve_https_port_8443", valve={"httpsServerPort": "8443"}),
    Shape("valve_http_port_8080", valve={"httpServerPort": "8080"}),
    Shape("valve_ssl_on", valve={"protocolHeader": "X-Forwarded-Ssl", "protocolHeaderHttpsValue": "on"}),
    Shape("valve_host_port_headers", valve={"hostHeader": "X-Forwarded-Host", "portHeader": "X-Forwarded-Port"}),
    Shape("valve_host_header_only", valve={"hostHeader": "X-Forwarded-Host"}),
    Shape("valve_port_header_only", valve={"portHeader": "X-Forwarded-Port"}),
    Shape("valve_https_value_upper", valve={"protocolHeaderHttpsValue": "HTTPS"}),
    Shape(
        "atlassian_template",
        ({**ATLASSIAN, "secure": "true", "scheme": "https", "proxyName": PUBLIC_NAME, "proxyPort": "443"},),
    ),
    Shape(
        "atlassian_template_http",
        ({**ATLASSIAN, "secure": "false", "scheme": "http", "proxyName": PUBLIC_NAME, "proxyPort": "80"},),
        context="",
    ),
)


@dataclass(frozen=True)
class Style:
    """How nginx proxies: TLS or not, the Host it sends (None: nginx's default) and other headers."""

    name: str
    tls: bool = False
    host: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    only: tuple[str, ...] = ()  # the shapes it runs against (empty: all); real Tomcat cases are slow

    def applies(self, shape: "Shape") -> bool:
        return not self.only or shape.name in self.only


STYLES: tuple[Style, ...] = (
    Style("proxy_host"),
    Style("host", host="$host"),
    Style("http_host", host="$http_host"),
    Style("http_host_proto", host="$http_host", headers={"X-Forwarded-Proto": "$scheme"}),
    Style("tls_host_proto", tls=True, host="$host", headers={"X-Forwarded-Proto": "$scheme"}),
    Style("tls_http_host", tls=True, host="$http_host"),
    Style("tls_proxy_host_proto", tls=True, headers={"X-Forwarded-Proto": "$scheme"}),
    Style(
        "tls_forwarded_all",
        tls=True,
        host="$host",
        headers={"X-Forwarded-Proto": "$scheme", "X-Forwarded-Host": "$host", "X-Forwarded-Port": "$server_port"},
    ),
    Style("tls_proto_list", tls=True, host="$host", headers={"X-Forwarded-Proto": "$scheme, $scheme"}),
    Style("tls_ssl_on", tls=True, host="$host", headers={"X-Forwarded-Ssl": "$https"}),
    # TLS at nginx, yet it tells Tomcat "http" (a fixed header, or $scheme behind a TLS-ending balancer):
    # a valve that trusts nginx makes Jira see http on port 80; without a valve, or one that does not
    # trust 127.0.0.1, the header is ignored (issue 24)
    Style(
        "tls_proto_http",
        tls=True,
        host="$host",
        headers={"X-Forwarded-Proto": "http"},
        only=("valve_engine", "valve_proxyport_443", "valve_internal_elsewhere", "https_proxy_443"),
    ),
)


def pairs() -> list[tuple[Shape, Style]]:
    """Every (shape, style) the matrix runs."""
    return [(shape, style) for shape in SHAPES for style in STYLES if style.applies(shape)]


def site_conf(shape: Shape, style: Style, listen: int, upstream: int, cert: str, key: str) -> str:
    """One nginx ``server {}`` file, as a customer's sites-enabled file would be."""
    scheme = "https" if shape.ssl else "http"
    listen_line = (
        f"listen 127.0.0.1:{listen} ssl;\n  ssl_certificate {cert};\n  ssl_certificate_key {key};"
        if style.tls
        else f"listen 127.0.0.1:{listen};"
    )
    headers = dict(style.headers)
    if style.host is not None:
        headers = {"Host": style.host, **headers}
    sets = "".join(f'    proxy_set_header {k} "{v}";\n' for k, v in headers.items())
    return (
        f"server {{\n  {listen_line}\n  server_name {PUBLIC_NAME};\n"
        f"  location / {{\n    proxy_pass {scheme}://127.0.0.1:{upstream};\n{sets}"
        f"    proxy_connect_timeout 5s;\n    proxy_read_timeout 30s;\n  }}\n}}\n"
    )
