"""`clientsvia import`: the original platform's MongoDB export, read back through the API.

The export in `fixtures/mongo_export/` is written as `mongoexport` writes (Extended JSON
with `$oid`/`$date`, one document per line or `--jsonArray`) after the brief's data model,
with the untidiness of real data: unknown fields, a broken company, orphaned records.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.cli import main
from tests.serve_fixtures import JWT_SECRET, SECRET_KEY

pytestmark = pytest.mark.ray

EXPORT = Path(__file__).parent / "fixtures" / "mongo_export"
ATLAS, GULF, BROKEN = ("68a1c0de5e1f2a0012ab34c1", "68a1c0de5e1f2a0012ab34c2",
                       "68a1c0de5e1f2a0012ab34c3")


def run_import(api_server, monkeypatch, tmp_path, capsys) -> list[str]:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    for name, value in {"REDIS_URL": api_server.settings["redis_url"], "JWT_SECRET": JWT_SECRET,
                        "CLIENTSVIA_SECRET_KEY": SECRET_KEY,
                        "PARQUET_ROOT": api_server.settings["parquet_root"]}.items():
        monkeypatch.setenv(name, value)
    assert main(["import", str(EXPORT)]) == 0
    return capsys.readouterr().out.splitlines()


def parquet_files(root: str) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in Path(root).rglob("*.parquet")}


def test_an_export_is_imported_once_and_reports_what_it_could_not_map(
        api_server, admin, monkeypatch, tmp_path, capsys):
    report = run_import(api_server, monkeypatch, tmp_path, capsys)
    assert "companies: 2 imported, 0 already there" in report
    assert "knowledge: 3 imported, 0 already there" in report
    assert "employees: 2 imported, 0 already there" in report
    assert "contacts: 2 imported, 0 already there" in report
    assert any(line.startswith(f"not mapped: company {BROKEN}: companyName") for line in report)
    for unmapped in (f"company {GULF}: field billingPlan", "field 'confidence' (4 documents)",
                     "employees 68a1c2005e1f2a0012ab5003: phone", "field 'recordingUrl'",
                     "knowledge 68a1c1005e1f2a0012ab4005: company 68a1c0de5e1f2a0012ab34ff",
                     "outcome 'spam' has no equivalent"):
        assert any(unmapped in line for line in report), unmapped
    assert any("gemini-1.5-pro is retired" in line for line in report)

    atlas = admin.get(f"/api/company/{ATLAS}").json()
    assert atlas["companyName"] == "Atlas Air" and atlas["createdAt"].startswith("2025-07-23")
    assert atlas["address"]["city"] == "Fort Myers" and atlas["aiSettings"]["language"] == "en-US"
    assert atlas["twilioConfig"]["authToken"].startswith("••••")
    assert admin.get(f"/api/company/{BROKEN}").status_code == 404
    knowledge = admin.get(f"/api/company/{ATLAS}/knowledge").json()
    assert [k["_id"] for k in knowledge] == ["68a1c1005e1f2a0012ab4001",
                                             "68a1c1005e1f2a0012ab4002"]
    employees = admin.get(f"/api/company/{ATLAS}/employees").json()
    assert {e["phone"] for e in employees} == {"+12395550141", "+12395550142"}
    august = {"from": "2025-08-01", "to": "2025-08-31"}
    calls = admin.get(f"/api/company/{ATLAS}/call-logs", params=august).json()
    assert {c["callSid"]: c["outcome"] for c in calls["items"]} == {
        "CA1f0e2d3c4b5a69788796a5b4c3d2e1f0": "booked",
        "CA2f0e2d3c4b5a69788796a5b4c3d2e1f0": "transferred"}
    detail = admin.get(f"/api/company/{ATLAS}/call-logs/CA1f0e2d3c4b5a69788796a5b4c3d2e1f0").json()
    assert [t["callerText"] for t in detail["transcript"]] == [
        "", "Do you service heat pumps?", "Great, can I book a visit for Tuesday?"]
    gulf_calls = admin.get(f"/api/company/{GULF}/call-logs", params=august).json()["items"]
    assert [c["callSid"] for c in gulf_calls] == ["CA3f0e2d3c4b5a69788796a5b4c3d2e1f0"]

    files, stored = parquet_files(api_server.settings["parquet_root"]), atlas["updatedAt"]
    again = run_import(api_server, monkeypatch, tmp_path, capsys)
    assert "companies: 0 imported, 2 already there" in again
    assert "knowledge: 0 imported, 3 already there" in again
    assert "call-log files: 0 imported, 6 already there" in again
    assert parquet_files(api_server.settings["parquet_root"]) == files
    assert admin.get(f"/api/company/{ATLAS}").json()["updatedAt"] == stored
    assert len(admin.get(f"/api/company/{ATLAS}/knowledge").json()) == 2


def test_a_folder_without_an_export_is_a_one_line_error(api_server, monkeypatch, tmp_path,
                                                        capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REDIS_URL", api_server.settings["redis_url"])
    monkeypatch.setenv("JWT_SECRET", JWT_SECRET)
    monkeypatch.setenv("CLIENTSVIA_SECRET_KEY", SECRET_KEY)
    assert main(["import", str(tmp_path)]) == 1
    assert "no export files" in capsys.readouterr().out
