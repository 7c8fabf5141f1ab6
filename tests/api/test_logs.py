"""Structured logs from the real process: `huifang serve` with HUIFANG_LOG_FORMAT=json writes one JSON object a
line, and the id of a request — its X-Request-ID header, the number on its error page — is on its log records;
a format it does not know stops start-up naming the variable."""
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

from test_schemathesis import BIN, free_port


def test_json_logs_carry_the_request_id_the_response_and_its_error_page_show(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIFANG_")}
    env.update({"HUIFANG_DATABASE_URL": f"sqlite:{tmp_path / 'logs.sqlite'}", "HUIFANG_PORT": str(port),
                "HUIFANG_PLAN_AT": "off", "HUIFANG_LOG_FORMAT": "json"})
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        request = urllib.request.Request(base + "/api/v1/tickets/999", headers={"Authorization": "Bearer nope"})
        try:
            urllib.request.urlopen(request)
            raise AssertionError("a bad token was accepted")
        except urllib.error.HTTPError as refused:
            request_id = refused.headers["X-Request-ID"]
            assert json.loads(refused.read())["error"]["requestID"] == request_id
        try:
            urllib.request.urlopen(base + "/no-such-page")
        except urllib.error.HTTPError as missing:
            assert missing.headers["X-Request-ID"] in missing.read().decode()
        time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=30)
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is a JSON object
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    mine = [record for record in records if record.get("request-id") == request_id]
    assert mine and any("/api/v1/tickets/999" in record["message"] for record in mine), lines


def test_an_unknown_log_format_stops_start_up_naming_the_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIFANG_")}
    env.update({"HUIFANG_DATABASE_URL": f"sqlite:{tmp_path / 'x.sqlite'}", "HUIFANG_LOG_FORMAT": "xml"})
    result = subprocess.run([BIN, "migrate"], env=env, capture_output=True, text=True)
    assert result.returncode == 78 and "HUIFANG_LOG_FORMAT" in result.stderr and "text or json" in result.stderr
