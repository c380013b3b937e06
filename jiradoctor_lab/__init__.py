"""A Jira stand-in on loopback that answers as JIRA-FACTS.md says Jira does, one scenario at a time.

Used by ``jiradoctor demo``, the end-to-end tests and the benchmarks::

    with LabServer("url-mismatch-proxy-host") as lab:
        ...  # point an integration (or jiradoctor) at lab.url with lab.consumer_key / lab.private_key_pem
"""

from jiradoctor_lab.scenarios import Scenario, ScenarioError, get_scenario, list_scenarios, scenario_names
from jiradoctor_lab.server import LabServer, SeenRequest

__all__ = ["LabServer", "Scenario", "ScenarioError", "SeenRequest", "get_scenario", "list_scenarios", "scenario_names"]
