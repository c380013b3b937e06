"""Real local parts the tests run against: generated PKI, nginx, forward proxies, a DNS server.

Everything listens on 127.0.0.1 only, every wait is bounded, every process is stopped in teardown.
Fixtures live in :mod:`tests.realparts.fixtures` (``from tests.realparts.fixtures import *``).
"""
