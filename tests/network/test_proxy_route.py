"""The route decision mirrors httpx, proven against httpx's own mount selection."""

from __future__ import annotations

import os

import pytest
from httpx._utils import URLPattern, get_environment_proxies  # private: used only to prove agreement

from jiradoctor.net.proxy_route import decide_route, mask_userinfo, proxies_from_env

CASES = [
    ("https://jira.example.com", {}),
    ("https://jira.example.com", {"HTTPS_PROXY": "http://proxy:3128"}),
    ("https://jira.example.com", {"HTTP_PROXY": "http://proxy:3128"}),
    ("http://jira.example.com", {"HTTP_PROXY": "proxy:3128"}),
    ("https://jira.example.com", {"ALL_PROXY": "http://proxy:3128"}),
    ("https://jira.example.com", {"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"}),
    ("https://jira.example.com", {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "example.com"}),
    ("https://jira.example.com", {"HTTPS_PROXY": "http://proxy:3128", "no_proxy": ".example.com"}),
    ("https://example.com", {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": ".example.com"}),
    ("https://jira.example.com", {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "ample.com"}),
    ("https://jira.example.com", {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "other.org, *"}),
    ("https://127.0.0.1:8443", {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "127.0.0.1"}),
    ("https://127.0.0.1:8443", {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "localhost"}),
    ("https://localhost:8443", {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "localhost"}),
    ("https://[::1]:8443", {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "::1"}),
    ("https://jira.example.com:8443", {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "jira.example.com:8443"}),
    ("https://jira.example.com", {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "jira.example.com:8443"}),
    ("https://jira.example.com", {"ALL_PROXY": "http://all:1", "HTTPS_PROXY": "http://https:2"}),
    ("http://jira.example.com", {"HTTP_PROXY": "http://p:1", "REQUEST_METHOD": "GET"}),
]


def httpx_choice(url: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str | None:
    """The proxy httpx itself picks for url in env (None: direct)."""
    import httpx

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    mounts = sorted(((URLPattern(k), v) for k, v in get_environment_proxies().items()), key=lambda kv: kv[0])
    target = httpx.URL(url)
    return next((v for pattern, v in mounts if pattern.matches(target)), None)


@pytest.mark.parametrize("url, env", CASES)
def test_route_agrees_with_httpx(url: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    route = decide_route(url, None, env)
    assert (route.proxy_url if route.kind == "proxy" else None) == httpx_choice(url, env, monkeypatch)


def test_no_proxy_match_is_reported_as_bypassed_with_the_entry() -> None:
    route = decide_route(
        "https://jira.example.com", None, {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "example.com"}
    )
    assert (route.kind, route.no_proxy_entry, route.proxy_display, route.source) == (
        "bypassed",
        "example.com",
        "http://proxy:3128",
        "HTTPS_PROXY",
    )


def test_flag_overrides_environment_including_no_proxy() -> None:
    env = {"HTTPS_PROXY": "http://env:1", "NO_PROXY": "jira.example.com"}
    route = decide_route("https://jira.example.com", "proxy.corp:8080", env)
    assert (route.kind, route.proxy_url, route.source) == ("proxy", "http://proxy.corp:8080", "--proxy")
    assert set(route.ignored) == {"HTTPS_PROXY", "NO_PROXY"}


def test_lower_case_variable_wins() -> None:
    assert (
        proxies_from_env({"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"})["https"][0]
        == "http://lower:2"
    )


def test_credentials_are_masked_but_kept_for_the_connection() -> None:
    route = decide_route("https://jira.example.com", "http://bob:s%40cret@proxy:3128", {})
    assert route.proxy_display == "http://bob:***@proxy:3128"
    assert "cret" not in route.describe() and "cret" not in repr(route)
    assert route.proxy_credentials == ("bob", "s@cret")
    assert route.proxy_endpoint == ("proxy", 3128)
    assert mask_userinfo("http://proxy:3128") == "http://proxy:3128"


def test_environment_reading_matches_urllib_exactly(monkeypatch) -> None:
    """httpx reads proxies with urllib's getproxies_environment; ours must give the same answer."""
    import urllib.request

    from jiradoctor.net.proxy_route import proxies_from_env

    cases = [
        {"HTTPS_PROXY": "http://p:3128", "https_proxy": ""},  # an empty lower-case one unsets it
        {"HTTP_PROXY": "http://a:1", "http_proxy": "http://b:2"},  # lower case wins
        {"HTTP_PROXY": "http://a:1", "REQUEST_METHOD": "GET"},  # CGI: httpoxy
        {"http_proxy": "http://b:2", "REQUEST_METHOD": "GET"},  # ... but lower case still counts
        {"ALL_PROXY": "socks5://s:1080", "no_proxy": "x"},
    ]
    for env in cases:
        for name in list(os.environ):
            if name.lower().endswith("_proxy") or name == "REQUEST_METHOD":
                monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        ours = {scheme: value for scheme, (value, _) in proxies_from_env(dict(os.environ)).items()}
        assert ours == urllib.request.getproxies_environment(), env
