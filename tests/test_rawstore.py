"""The raw store stage: bytes by sha256, the typed manifest, the data dir's layout."""

from __future__ import annotations

import hashlib
import json

import pytest

from rawstore.layout import DataLayout, data_dir_from_env
from rawstore.manifest import ManifestRecord, ManifestWriter, read_manifest
from rawstore.store import RawStore


def test_store_keeps_bytes_by_sha256_idempotently(tmp_path) -> None:
    store = RawStore(DataLayout(tmp_path).raw)
    sha256, path = store.put(b"report")
    assert sha256 == hashlib.sha256(b"report").hexdigest()
    assert store.relative(path) == f"{sha256[:2]}/{sha256}.bin"
    assert store.put(b"report") == (sha256, path) and store.get(sha256) == b"report"
    with pytest.raises(ValueError, match="not a sha256"):
        store.path_for("../etc/passwd")


def test_manifest_records_round_trip_through_the_writer_and_reader(tmp_path) -> None:
    layout = DataLayout(tmp_path)
    record = ManifestRecord(
        url="https://www.bypc.gov.cn/a.html", sha256="ab" * 32, kind="report_page", portal="bypc",
        headers={"ETag": '"1"'}, metadata={"index_no": "X-1"}, report_year=2025, title="平川区2025年年报",
    )  # fmt: skip
    writer = ManifestWriter(layout.manifest("bypc")).open()
    writer.append(record)
    writer.close()
    line = layout.manifest("bypc").read_text(encoding="utf-8")
    assert json.loads(line)["title"] == "平川区2025年年报" and "平川区" in line  # UTF-8, not \u escapes
    assert list(read_manifest(tmp_path)) == [record]


def test_manifest_reader_ignores_keys_it_does_not_know(tmp_path) -> None:
    path = DataLayout(tmp_path).manifest("ycxixia")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"url": "u", "sha256": "s", "added_later": 1}) + "\n", encoding="utf-8")
    assert list(read_manifest(tmp_path)) == [ManifestRecord(url="u", sha256="s")]


def test_the_data_dir_comes_from_the_argument_the_environment_or_the_default(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("NIANBAO_DATA_DIR", raising=False)
    assert str(data_dir_from_env()) == "data"
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
    assert data_dir_from_env() == tmp_path
    assert data_dir_from_env("elsewhere").name == "elsewhere"
