"""Every file from outside is size-checked before it is read and read with a bound (jiradoctor/files.py).

A 1 GB file (sparse: it costs no disk), ``/dev/zero``, a FIFO nobody writes to: each gives a clear
usage error or finding quickly and in bounded memory; a real file, and a pipe that carries one
(``--private-key <(vault read …)``), still read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor import files
from jiradoctor.cli import main
from tests.peak_rss import launched, peak_mb

GB = 1024**3
SERVER_XML = '<Server><Service name="C"><Connector port="8080"/></Service></Server>'


def sparse(path: Path, size: int = GB) -> Path:
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def test_a_real_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "server.xml"
    path.write_text(SERVER_XML)
    assert files.read_bounded(path, 1000, "server.xml") == SERVER_XML.encode()
    assert files.check_regular(path, 1000, "server.xml") == len(SERVER_XML)


def test_a_huge_file_is_refused_from_its_size_without_reading_it(tmp_path: Path) -> None:
    path = sparse(tmp_path / "huge")
    tracemalloc.start()
    try:
        with pytest.raises(files.FileProblem, match="larger than 1,000,000 bytes"):
            files.read_bounded(path, 1_000_000, "server.xml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000  # not one chunk was read
    with pytest.raises(files.FileProblem, match="larger than 16 MB"):
        files.check_regular(path, 16 * files.MB, "CA bundle")


def test_dev_zero_is_read_only_to_the_bound() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(files.FileProblem, match="larger than 2 MB"):
            files.read_bounded("/dev/zero", 2 * files.MB, "truststore")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * files.MB
    with pytest.raises(files.FileProblem, match="not a regular file"):
        files.check_regular("/dev/zero", files.MB, "proxy config")


def test_a_fifo_without_a_writer_does_not_hang(fifo: Path) -> None:
    assert files.read_bounded(fifo, 1000, "public key") == b""  # no writer: nothing, at once
    with pytest.raises(files.FileProblem, match="not a regular file"):
        files.check_regular(fifo, 1000, "proxy config")


def test_a_pipe_that_never_ends_is_given_up(fifo: Path) -> None:
    opened = threading.Event()
    done = threading.Event()

    def writer() -> None:  # opens the pipe and holds it, sending nothing
        with open(fifo, "wb"):
            opened.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # lets the writer's open return
        opened.wait(5)
        try:
            with pytest.raises(files.FileProblem, match="did not end within 0.3 s"):
                files.read_bounded(f"/dev/fd/{fd}", 1000, "private key", wait_s=0.3)
        finally:
            os.close(fd)
    finally:
        done.set()
        thread.join(10)


def test_a_pipe_that_carries_a_file_is_read(fifo: Path) -> None:
    """The healthy pipe: ``--public-key <(cat key.pem)``, written in pieces."""
    payload = b"-----BEGIN PUBLIC KEY-----\n" + b"A" * 200_000 + b"\n-----END PUBLIC KEY-----\n"

    def writer() -> None:
        with open(fifo, "wb") as fh:
            for start in range(0, len(payload), 7000):
                fh.write(payload[start : start + 7000])
                fh.flush()

    thread = threading.Thread(target=writer)
    thread.start()
    fd = os.open(fifo, os.O_RDONLY)  # blocks until the writer opened: as a shell's <(…) has
    try:
        assert files.read_bounded(f"/dev/fd/{fd}", 1_000_000, "public key") == payload
    finally:
        os.close(fd)
        thread.join(10)


def test_a_folder_or_a_missing_file_is_a_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(files.FileProblem, match="is a folder"):
        files.read_bounded(tmp_path, 1000, "report")
    with pytest.raises(files.FileProblem, match="cannot read report"):
        files.read_bounded(tmp_path / "missing.json", 1000, "report")


def _doctor(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["doctor", "--offline", *args])
    assert "Traceback" not in result.output and result.exit_code != 3, result.output
    return result.exit_code, result.output.replace("\n", " ")


@pytest.mark.parametrize(
    "option, extra",
    [
        ("--server-xml", ()),
        ("--private-key", ("--consumer-key", "abc")),
        ("--public-key", ()),
        ("--ca-bundle", ("--url", "https://jira.example.com")),
        ("--config", ("--url", "https://jira.example.com")),
        ("--profile-file", ("--url", "https://jira.example.com")),
    ],
)
def test_each_huge_input_file_is_a_usage_error(tmp_path: Path, option: str, extra: tuple[str, ...]) -> None:
    code, output = _doctor(*extra, option, str(sparse(tmp_path / "huge")))
    assert code == 2 and "larger than" in output and "not read" in output, output


@pytest.mark.parametrize("option", ["--server-xml", "--public-key"])
def test_dev_zero_as_an_input_file_is_a_usage_error(option: str) -> None:
    code, output = _doctor(option, "/dev/zero")
    assert code == 2 and "larger than" in output, output


def test_a_fifo_as_ca_bundle_is_a_usage_error_not_a_hang(fifo: Path) -> None:
    code, output = _doctor("--url", "https://jira.example.com", "--ca-bundle", str(fifo))
    assert code == 2 and "not a regular file" in output, output


def _base_url_findings(tmp_path: Path, proxy_config: Path) -> list[dict]:
    xml = tmp_path / "server.xml"
    xml.write_text(SERVER_XML)
    result = CliRunner().invoke(
        main,
        ["doctor", "--offline", "--only", "base-url", "--server-xml", str(xml), "--proxy-config", str(proxy_config),
         "--base-url", "https://jira.example.test", "--format", "json", "--fail-on", "never"],
    )
    assert result.exit_code == 0, result.output
    (check,) = [c for c in json.loads(result.stdout)["checks"] if c["id"] == "base-url"]
    return [f for f in check["findings"] if f["code"] == "base-url/invalid-proxy-config"]


@pytest.mark.parametrize("include", ["big.conf", "pipe.conf"])
def test_an_nginx_include_too_big_or_not_a_file_is_a_finding(tmp_path: Path, include: str) -> None:
    if include == "pipe.conf":
        os.mkfifo(tmp_path / include)  # crossplane would wait for a writer forever
    else:
        (tmp_path / include).write_text("# padding\n" * 200_000)  # 2 MB
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"events {{}}\nhttp {{ include {include}; }}\n")
    (bad,) = _base_url_findings(tmp_path, conf)
    assert ("larger than" if include == "big.conf" else "not a regular file") in bad["message"]


def test_a_healthy_nginx_include_is_still_followed(tmp_path: Path) -> None:
    (tmp_path / "jira.conf").write_text("server { listen 80; location / { proxy_pass http://127.0.0.1:8080; } }\n")
    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp { include jira.conf; }\n")
    assert _base_url_findings(tmp_path, conf) == []


def test_huge_proxy_config_and_truststore_in_bounded_memory(tmp_path: Path) -> None:
    """Before: each 1 GB file was read whole (≈1 GB peak); now refused from its size, as findings."""
    xml = tmp_path / "server.xml"
    xml.write_text(SERVER_XML)
    rss = tmp_path / "rss"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    argv = [
        sys.executable, "-m", "jiradoctor", "doctor", "--only", "base-url,outgoing-tls",
        "--server-xml", str(xml), "--proxy-config", str(sparse(tmp_path / "nginx.conf")),
        "--base-url", "https://jira.example.test", "--integration-url", "https://127.0.0.1:9/",
        "--truststore", str(sparse(tmp_path / "cacerts")), "--timeout", "2", "--format", "json",
    ]
    done = subprocess.run(launched(argv, rss), capture_output=True, text=True, timeout=120, env=clean, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    codes = {f["code"]: f["message"] for c in json.loads(done.stdout)["checks"] for f in c["findings"]}
    assert "larger than" in codes["base-url/invalid-proxy-config"]
    assert "larger than 16 MB" in codes["outgoing-tls/truststore-unreadable"]
    assert peak_mb(rss) < 150, f"peak {peak_mb(rss):.0f} MB"
