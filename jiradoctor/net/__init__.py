"""Pure network knowledge for the dns, tls and proxy checks: no I/O, so each rule is unit-tested.

``addresses`` classifies IP ranges, ``chain`` reads certificate chains, ``proxy_route`` decides
which proxy (if any) a request to Jira takes, exactly as the integration's HTTP client would.
"""
