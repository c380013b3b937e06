"""Reading browser HAR files: what a recorded session shows about Jira, and a copy safe to share.

``reader`` streams entries out of a HAR of any size, ``entry`` gives each a typed view, ``shapes``
knows what a secret looks like, ``redact`` masks secrets in entries and writes a safe HAR, and
``analyse`` turns the exchanges into the doctor's own findings and report.
"""
