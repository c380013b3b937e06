"""Reading the reverse proxy's own configuration (nginx, Apache httpd) into :class:`ProxyRoute` s."""

from jiradoctor.jira.proxy_config.model import ProxyConfig, ProxyConfigError, ProxyRoute
from jiradoctor.jira.proxy_config.reader import read_proxy_config

__all__ = ["ProxyConfig", "ProxyConfigError", "ProxyRoute", "read_proxy_config"]
