"""Reading what customers attach: Jira's own logs and support zips, turned into the doctor's findings.

``sources`` finds the log files (plain, gzip, inside a support zip) and opens them as bounded
streams; ``records`` cuts a stream into Jira log records (a stack trace stays with its line) and
picks out the few that can matter with cheap fixed-string searches; ``signatures`` is the
catalogue of known lines, each with the public page it was captured from; ``redact`` keeps
secrets out; ``findings`` turns matches into the same findings (codes, fixes) the live checks
give; ``command`` builds the Report every renderer writes.
"""
