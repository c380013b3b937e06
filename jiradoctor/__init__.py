"""jiradoctor: diagnose broken connections between third-party tools and Jira."""

__version__ = "0.1.0"
