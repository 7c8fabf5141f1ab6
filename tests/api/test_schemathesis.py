"""The API contract, checked by Schemathesis: a live `huifang serve` on a fresh SQLite file with the demo
organisation, tested from its own OpenAPI document (GET /api/v1/openapi.json) once with an admin's token and once
with an agent's: every operation, positive and negative data, every check but positive_data_acceptance (see
schemathesis.toml for why). Any failure fails the test; the report is kept in test-artifacts/."""
import os
import pathlib
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

BIN = os.environ.get("HUIFANG_BIN", ".build/debug/huifang")
ARTIFACTS = pathlib.Path(os.environ.get("HUIFANG_ARTIFACTS", "test-artifacts")).resolve()
CONFIG = pathlib.Path(__file__).resolve().with_name("schemathesis.toml")
SMS_TOKEN = "schemathesis-sms-gateway-token"
TELEPHONY_TOKEN = "schemathesis-phone-system-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["admin", "wangfang"], ids=["admin", "agent"])
def server(request, tmp_path):
    """A demo organisation served on a port of its own, and a token of the user the test runs as."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIFANG_")}
    env.update({
        "HUIFANG_DATABASE_URL": f"sqlite:{tmp_path / 'api.sqlite'}",
        "HUIFANG_PORT": str(port),
        "HUIFANG_BCRYPT_COST": "4",
        "HUIFANG_PLAN_AT": "off",
        "HUIFANG_SMS_INBOUND_TOKEN": SMS_TOKEN,
        "HUIFANG_TELEPHONY_TOKEN": TELEPHONY_TOKEN,
    })
    subprocess.run([BIN, "user", "create", "--username", "admin", "--role", "admin", "--name", "王管理"],
                   input="schemathesis-admin-password\n", text=True, env=env, check=True, capture_output=True)
    subprocess.run([BIN, "demo", "--no-serve", "--customers", "200"], env=env, check=True, capture_output=True)
    token = subprocess.run([BIN, "token", "create", "--username", request.param], env=env, check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    log = open(tmp_path / "server.log", "w")
    process = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(base + "/healthz").status == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("huifang serve did not answer /healthz: " + (tmp_path / "server.log").read_text())
    try:
        yield base, token, request.node.callspec.id, tmp_path
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_api_keeps_its_contract(server):
    base, token, role, workdir = server
    env = dict(os.environ, HUIFANG_TEST_TOKEN=token, HUIFANG_TEST_SMS_TOKEN=SMS_TOKEN,
               HUIFANG_TEST_TELEPHONY_TOKEN=TELEPHONY_TOKEN, NO_COLOR="1")
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "--no-color", "run",
         base + "/api/v1/openapi.json", "--checks", "all", "--exclude-checks", "positive_data_acceptance"],
        env=env, capture_output=True, text=True, timeout=900, cwd=workdir)  # its cache stays out of the checkout
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"schemathesis-{role}.txt").write_text(run.stdout + run.stderr)
    summary = run.stdout[run.stdout.find("SUMMARY"):] if "SUMMARY" in run.stdout else run.stdout[-4000:]
    assert run.returncode == 0, f"Schemathesis found problems with the {role} token:\n{summary}\n{run.stderr[-2000:]}"
    selected = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", run.stdout)
    assert selected and len(set(selected.groups())) == 1, f"not every operation was tested:\n{summary}"
    assert int(selected.group(1)) > 100, summary
