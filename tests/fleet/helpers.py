"""Lab Jiras for fleet tests, an inventory naming them, and the fleet run through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Iterator

from jiradoctor_lab import LabServer

PAT = "MzE4NzQ5NTk2OTA4OpcS8muzzxxVhJro760qHNh4LiKy"  # the lab's healthy PAT (scenarios.toml)
SVC_PASSWORD = "lab-svc-password"  # the lab's right password for piplanning-svc
WRONG_PASSWORD = "lab-wrong-password"

# target name -> (scenario, auth) and the finding code its run must show (None: a healthy target)
TARGETS: dict[str, tuple[str, str, str | None]] = {
    "acme-pat": ("healthy-pat", "pat", None),
    "globex-basic": ("healthy", "basic", None),
    "initech-wrong-password": ("wrong-password", "basic-wrong", "auth/invalid-credentials"),
    "umbrella-pat-expiring": ("pat-expiring", "pat", "pat-expiry/expires-soon"),
}


def start_labs(stack: ExitStack, scenarios: set[str], latency_s: float = 0.0) -> dict[str, LabServer]:
    return {s: stack.enter_context(LabServer(s, latency_s=latency_s)) for s in sorted(scenarios)}


def target_toml(name: str, lab: LabServer, auth: str, extra: str = "") -> str:
    lines = [f'[[target]]\nname = "{name}"\nurl = "{lab.url}"']
    if auth == "pat":
        lines.append('pat_env = "FLEET_TEST_PAT"')
    elif auth == "basic":
        lines.append('user = "piplanning-svc"\npassword_env = "FLEET_TEST_PASSWORD"')
    elif auth == "basic-wrong":
        lines.append('user = "piplanning-svc"\npassword_file = "wrong-password.txt"')
    return "\n".join(lines) + ("\n" + extra if extra else "") + "\n"


def write_inventory(folder: Path, labs: dict[str, LabServer], targets: dict[str, tuple[str, str, str | None]],
                    extra: str = "") -> Path:
    (folder / "wrong-password.txt").write_text(WRONG_PASSWORD + "\n")
    text = '[defaults]\ntimeout = 5\nintegration = "generic"\n\n' + "\n".join(
        target_toml(name, labs[scenario], auth) for name, (scenario, auth, _) in targets.items()) + extra
    path = folder / "fleet.toml"
    path.write_text(text)
    return path


def fleet_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    env.update(FLEET_TEST_PAT=PAT, FLEET_TEST_PASSWORD=SVC_PASSWORD)
    env.update(extra)
    return env


def run_cli(args: list[str], cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jiradoctor", *args], capture_output=True, text=True,
                          cwd=cwd, env=env or fleet_env(), timeout=timeout)


def fleet_rows(folder: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((folder / "fleet.json").read_text())
    return {row["name"]: row for row in data["targets"]}


def codes(folder: Path, name: str) -> set[str]:
    report = json.loads((folder / "targets" / f"{name}.json").read_text())
    return {f["code"] for c in report["checks"] for f in c["findings"]}


def all_text(folder: Path) -> Iterator[tuple[Path, bytes]]:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes()
