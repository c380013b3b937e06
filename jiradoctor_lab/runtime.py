"""One running lab Jira: the scenario with its templates filled in, plus the state Jira keeps.

Why: the scenario is immutable data shared by every server; what changes while a lab runs (issued
OAuth tokens, used nonces, failed-login counters, the request-id counter) lives here, behind one
lock, so hundreds of concurrent request threads stay consistent.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from jiradoctor.jira.tomcat import Connector
from jiradoctor_lab.keys import KeyPair, key_pair
from jiradoctor_lab.permissions import CATALOGUE, PermissionDef, Subject
from jiradoctor_lab.scenarios import Project, Scenario, User

NONCE_WINDOW_S = 5 * 60  # net.oauth SimpleOAuthValidator default (JIRA-FACTS §1)


@dataclass
class RequestToken:
    token: str
    secret: str
    consumer_key: str
    callback: str
    authorized_by: str | None = None
    denied: bool = False
    verifier: str | None = None


@dataclass
class AccessToken:
    token: str
    secret: str
    consumer_key: str | None  # None: provisioned by the scenario, valid for the registered consumer
    user: str


@dataclass
class LabState:
    """Mutable Jira state; every access goes through ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    request_tokens: dict[str, RequestToken] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    nonces: dict[tuple[str, str, str, str], float] = field(default_factory=dict)
    failed_logins: dict[str, int] = field(default_factory=dict)
    captcha_users: set[str] = field(default_factory=set)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    fanout_requests: int = 0  # throttle.py: mypermissions-per-project requests seen
    throttle_until: float | None = None  # time.monotonic() when the rate limit lifts
    throttled: int = 0  # answers refused by the rate limit
    login_requests: int = 0  # throttle.py: /myself requests seen (throttle_login)
    bucket_tokens: int | None = None  # throttle.py: Data Center's token bucket (None = not started)
    bucket_refilled: float = 0.0  # time.monotonic() of the bucket's last refill
    cluster_turn: int = 0  # lab/can_work.py: round-robin position of a cluster without sticky sessions
    path_turns: dict[str, int] = field(default_factory=dict)  # round-robin per broken path (broken_node)
    writes: int = 0  # lab/can_work.py: requests that would have changed Jira (must stay 0 for jiradoctor)

    def use_nonce(self, consumer_key: str, token: str, timestamp: str, nonce: str, now: float) -> bool:
        """Record a nonce; False when it was already used inside the window (net.oauth semantics)."""
        key = (consumer_key, token, timestamp, nonce)
        with self.lock:
            if len(self.nonces) > 10_000:
                cutoff = now - 2 * NONCE_WINDOW_S
                self.nonces = {k: t for k, t in self.nonces.items() if t >= cutoff}
            if key in self.nonces:
                return False
            self.nonces[key] = now
            return True

    def next_request_id(self, now: float) -> str:
        """Jira's X-AREQUESTID shape: minute-of-day x counter x node (e.g. ``733x1234x1``)."""
        minute = int((now % 86400) // 60)
        with self.lock:
            return f"{minute}x{next(self.counter)}x1"


class LabRuntime:
    """A scenario bound to a port: base URL, keys, users, projects and live state."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        port: int,
        host: str,
        scheme: str,
        connector: Connector,
        base_url: str | None = None,
        url: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        fill = {"scheme": scheme, "host": host, "port": port}
        self.scenario = scenario
        self.port = port
        self.connector = connector
        self.base_url = (base_url or scenario.base_url).format(**fill).rstrip("/")
        self.url = (url or scenario.url).format(**fill).rstrip("/")
        self.sso_redirect = scenario.behaviour.sso_redirect.format(**fill)
        self._clock = clock
        self.consumer_keys: KeyPair = key_pair("consumer")
        self.registered_public_key = key_pair(scenario.consumer.public_key).public_key
        self.jira_keys: KeyPair = key_pair("jira")
        self.projects: tuple[Project, ...] = scenario.all_projects()
        self.projects_by_key = {p.key: p for p in self.projects}
        self.projects_by_id = {str(p.id): p for p in self.projects}
        self.users_by_name = {u.name: u for u in scenario.users}
        self.users_by_email = {u.email.lower(): u for u in scenario.users if u.email}
        self.state = LabState()
        self.state.captcha_users.update(u.name for u in scenario.users if u.captcha_locked)
        for token, user in scenario.access_tokens.items():
            self.state.access_tokens[token] = AccessToken(token, secrets.token_hex(16), None, user)
        self.permissions: dict[str, PermissionDef] = {
            k: v for k, v in CATALOGUE.items() if k not in scenario.behaviour.unknown_permissions
        }

    @property
    def is_cloud(self) -> bool:
        return self.scenario.is_cloud

    def now(self) -> float:
        """Jira's clock: the host clock plus the scenario's offset."""
        return self._clock() + self.scenario.clock_offset_s

    def now_datetime(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.now(), dt.timezone.utc)

    def subject(self, user: User | None) -> Subject:
        if user is None:
            return Subject(None)
        return Subject(user.name, tuple(user.groups), tuple(user.global_permissions))

    def grants(self, project: Project) -> dict[str, tuple[str, ...]]:
        return dict(self.scenario.schemes[project.scheme])

    def consumer_registered(self, key: str) -> bool:
        """Consumer keys are compared verbatim, as Jira does (a trailing space is another key)."""
        c = self.scenario.consumer
        return c.registered and key == c.key
