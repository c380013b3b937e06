"""Realistic Jira logs for the tests and the benchmark: a busy, healthy log, and captured lines inside one.

The healthy lines follow the shape of real Jira 9.5+ records (captured in Atlassian's rate-limiting
KB, 1108486797): ``<date time,ms+offset> <thread> url: <path> <LEVEL> <user> <request id> <session id>
<ip> <path> [<logger>] <message>``; the older Jira 8 shape (KB 329982379) has no ``url:`` part. The
messages are ours and say nothing a signature looks for. Only ``catalogue`` text is captured.
"""

from __future__ import annotations

import random
from typing import Iterator

LOGGERS = (
    "c.a.jira.issue.index.DefaultIndexManager",
    "c.a.j.p.s.service.sprint.SprintServiceImpl",
    "c.a.jira.cluster.DefaultClusterManager",
    "c.a.jira.web.filters.accesslog.AccessLogImpl",
    "c.a.plugin.manager.DefaultPluginManager",
    "c.a.j.issue.search.providers.LuceneSearchProvider",
)
PATHS = ("/rest/api/2/issue/ABC-{n}", "/secure/Dashboard.jspa", "/rest/agile/1.0/board/{n}/sprint",
         "/browse/ABC-{n}", "/rest/api/2/search", "/plugins/servlet/gadgets/ifr")
MESSAGES = (
    "Re-indexed {n} issues in {m} ms",
    "Sprint {n} updated by integration user",
    "Heartbeat from node jira-node-{m}",
    "Request handled in {m} ms",
    "Plugin module enabled: com.example.widget-{n}",
    "Search returned {n} results",
)


def jira_head(when: str = "2024-03-05 10:15:22,123+0000", thread: str = "http-nio-8080-exec-7",
              path: str = "/rest/api/2/issue", level: str = "WARN", user: str = "svc-integration",
              logger: str = "c.a.jira.example.TestHeader") -> str:
    """A Jira 9.5+ record's first line up to its message (ours; the shape is Jira's)."""
    return (f"{when} {thread} url: {path} {level} {user} 615x1234x1 1ab2cd3 10.0.0.5 {path} [{logger}] ")


def healthy_lines(count: int, seed: int = 7) -> Iterator[str]:
    """A busy Jira log with nothing wrong: INFO/DEBUG/WARN records, some with a (harmless) stack trace."""
    rnd = random.Random(seed)
    for i in range(count):
        second = i % 60
        minute = (i // 60) % 60
        hour = 8 + (i // 3600) % 12
        n, m = rnd.randint(1, 99999), rnd.randint(1, 999)
        path = rnd.choice(PATHS).format(n=n)
        level = rnd.choice(("INFO", "INFO", "INFO", "DEBUG", "WARN"))
        thread = rnd.choice((f"http-nio-8080-exec-{m % 50}", f"Caesium-1-{m % 4}", "localhost-startStop-1"))
        head = jira_head(f"2024-03-05 {hour:02d}:{minute:02d}:{second:02d},{m:03d}+0000", thread, path, level,
                         rnd.choice(("alice", "bob", "anonymous", "svc-integration")), rnd.choice(LOGGERS))
        yield head + rnd.choice(MESSAGES).format(n=n, m=m) + "\n"
        if level == "WARN" and i % 7 == 0:
            yield "java.util.concurrent.TimeoutException: index queue busy, retrying\n"
            yield "\tat com.atlassian.jira.index.AbstractIndexer.update(AbstractIndexer.java:120)\n"
            yield "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"


def healthy_log(count: int = 5000, seed: int = 7) -> str:
    return "".join(healthy_lines(count, seed))


def around(text: str, before: int = 400, after: int = 400, seed: int = 3) -> str:
    """``text`` (one or more records) in the middle of a healthy, busy log."""
    return healthy_log(before, seed) + text.rstrip("\n") + "\n" + healthy_log(after, seed + 1)


def security_head(when: str = "2023-06-09 05:11:11,681+0000") -> str:
    """atlassian-jira-security.log's first columns (shape from the captured Community sample)."""
    return f"{when} http-nio-8080-exec-17 anonymous 311x2831x1 1qvu69a 10.0.0.9 "


def healthy_security(count: int = 200) -> str:
    return "".join(
        f"2023-06-09 05:{(i // 60) % 60:02d}:{i % 60:02d},000+0000 http-nio-8080-exec-{i % 20} user{i % 9} "
        f"{300 + i}x{2800 + i}x1 zokxj{i % 10} 10.0.0.{i % 200} /rest/gadget/1.0/login The user 'user{i % 9}' has "
        f"PASSED authentication.\n"
        for i in range(count)
    )
