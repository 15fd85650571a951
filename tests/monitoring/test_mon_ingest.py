"""HTTP batch ingest: good rows stored once, in any order; bad rows reported by number, changing nothing."""

from __future__ import annotations

import json

from mon_util import now_ms

from yingji.monitoring.store import get_store

URL = "/api/v1/monitoring/readings"


def post(client, body, content_type="application/json"):
    data = json.dumps(body) if not isinstance(body, bytes | str) else body
    return client.post(URL, data=data, content_type=content_type)


def test_json_batch_is_stored_once_in_any_order(world):
    t = now_ms() - 3_600_000
    rows = [["RG-001", t + i * 60_000, 0.5] for i in range(10)]
    r = post(world.client, {"readings": rows[::-1]})  # newest first
    assert r.status_code == 200, r.content
    assert r.json()["stored"] == 10 and r.json()["rejected"] == 0
    again = post(world.client, {"readings": rows})
    assert again.json() == {**again.json(), "stored": 0, "duplicates": 10}
    assert get_store().count([world.rain[0].pk]) == 10
    world.rain[0].refresh_from_db()
    assert world.rain[0].last_value == 0.5 and int(world.rain[0].last_at.timestamp() * 1000) == t + 9 * 60_000


def test_objects_and_iso_times(world):
    r = post(world.client, [{"sensor": "WL-001", "ts": "2026-07-01T08:00:00+08:00", "value": 2.5},
                            {"sensor": "WL-001", "ts": "2026-07-01T08:05:00", "value": 2.75}])
    assert r.status_code == 200 and r.json()["stored"] == 2
    data = get_store().window([world.level.pk], 0, now_ms())
    assert data.ts.tolist() == [1782864000000, 1782864300000]


def test_bad_rows_are_reported_and_the_good_ones_kept(world):
    t = now_ms() - 600_000
    rows = [["RG-001", t, 1.0],                 # 1 good
            ["NOPE-9", t, 1.0],                 # 2 unknown sensor
            ["RG-001", t + 1, "1.5"],           # 3 wrong type
            ["RG-001", t + 2, float("nan")],    # 4 NaN (json.dumps writes NaN)
            ["RG-001", t + 10 * 86_400_000, 1],  # 5 far future
            ["RG-001", 1_700_000_000, 1],       # 6 seconds, not milliseconds
            {"sensor": "RG-002", "ts": t, "value": 2, "colour": "red"},  # 7 unknown key
            ["RG-002", t, 3.0]]                 # 8 good
    r = post(world.client, {"readings": rows})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["stored"] == 2 and body["rejected"] == 6
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (2, "sensor"), (3, "value"), (4, "value"), (5, "ts"), (6, "ts"), (7, "colour")]
    assert "NOPE-9" in body["errors"][0]["message"]


def test_a_batch_with_only_bad_rows_is_refused_and_changes_nothing(world):
    r = post(world.client, {"readings": [["NOPE", now_ms(), 1.0]]})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["rows"][0]["row"] == 1
    assert get_store().count() == 0


def test_bad_utf8_and_broken_json_are_clear_400s(world):
    r = post(world.client, b'{"readings": [["RG-\xff", 1, 1]]}')
    assert r.status_code == 400 and "UTF-8" in r.json()["error"]["message"]
    r = post(world.client, '{"readings": [')
    assert r.status_code == 400 and "JSON" in r.json()["error"]["message"]
    r = post(world.client, {"rows": []})
    assert r.status_code == 400
    assert get_store().count() == 0


def test_csv_reports_a_bad_utf8_line_by_its_row(world):
    t = now_ms() - 60_000
    body = (f"sensor,ts,value\nRG-001,{t},1.5\nRG-\xff,{t},1\nGS-001,{t},abc\nGS-001,{t},12\n").encode("latin-1")
    r = world.client.post(URL, data=body, content_type="text/csv")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["stored"] == 2
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, ""), (3, "value")]
    r = world.client.post(URL, data=b"a,b\n1,2\n", content_type="text/csv")
    assert r.status_code == 400


def test_readers_cannot_write_and_strangers_are_refused(world, client_for):
    r = post(client_for(world.viewer), {"readings": [["RG-001", now_ms(), 1.0]]})
    assert r.status_code == 422 and "RG-001" in r.json()["error"]["details"]["rows"][0]["message"]
    from django.test import Client

    assert post(Client(), {"readings": []}).status_code == 401


def test_recent_readings_api(world):
    t = now_ms() - 120_000
    post(world.client, {"readings": [["GS-001", t, 10.0], ["GS-001", t + 60_000, 12.5]]})
    r = world.client.get(f"/api/v1/monitoring/sensors/{world.gas.pk}/readings?hours=1")
    assert r.status_code == 200 and r.json()["value"] == [10.0, 12.5]
    assert world.client.get(f"/api/v1/monitoring/sensors/{world.gas.pk}/readings?hours=-1").status_code == 400
