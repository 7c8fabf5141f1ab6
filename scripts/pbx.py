#!/usr/bin/env python3
"""Plays a phone system (PBX) against Huifang: posts a call's events to /api/v1/telephony/events.

    python3 scripts/pbx.py --url http://127.0.0.1:8080 --token "$HUIFANG_TELEPHONY_TOKEN" \\
        --caller 13812345678 --extension 801 [--call-id c-1] [--talk 5] [--recording rec/c-1.wav] [--ring-only]

It sends `ringing` (the agent at the extension sees the caller pop up), then after a second `answered`, and after
`--talk` seconds `ended` with the recording reference; it prints each answer. A real PBX (Asterisk's AMI or ARI,
FreeSWITCH's event socket, a cloud call centre's webhooks) is connected the same way through a small adapter that
posts these three events.
"""
import argparse
import json
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone


def post(url, token, event):
    request = urllib.request.Request(
        url.rstrip("/") + "/api/v1/telephony/events", data=json.dumps(event).encode(), method="POST",
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--caller", required=True)
    parser.add_argument("--called", default="4008001234")
    parser.add_argument("--extension", required=True)
    parser.add_argument("--call-id", default=None)
    parser.add_argument("--talk", type=float, default=3)
    parser.add_argument("--recording", default=None)
    parser.add_argument("--ring-only", action="store_true", help="send only `ringing` (the call is still ringing)")
    args = parser.parse_args()
    call_id = args.call_id or "pbx-" + uuid.uuid4().hex[:12]
    base = {"callId": call_id, "caller": args.caller, "called": args.called, "extension": args.extension}

    def send(kind, **extra):
        at = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        status, body = post(args.url, args.token, {**base, "event": kind, "at": at, **extra})
        print(kind, status, json.dumps(body, ensure_ascii=False))
        if status != 200:
            raise SystemExit(1)

    send("ringing")
    if args.ring_only:
        return
    time.sleep(1)
    send("answered")
    time.sleep(args.talk)
    send("ended", **({"recording": args.recording} if args.recording else {}))


if __name__ == "__main__":
    main()
