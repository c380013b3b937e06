"""The report formats, named once for every command that writes reports (``--format`` choices).

Kept apart from :mod:`jiradoctor.reports`, whose import loads every renderer: the CLI declares its
options without it. tests/reports/test_reports.py holds these names equal to the renderers'.
"""

REPORT_FORMATS = ("text", "json", "html", "md", "junit", "jira")
