"""Messages for people follow --lang, NIANBAO_LANG or the locale; JSON carries both languages."""

from __future__ import annotations

import json

import pytest
from conftest import seed_path
from typer.testing import CliRunner

from nianbao import i18n
from nianbao.cli import app

SEED_002 = seed_path("002")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LANG": "C.UTF-8"}, "zh"),
        ({"LC_ALL": "POSIX"}, "zh"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({}, "zh"),
        ({"NIANBAO_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
        ({"NIANBAO_LANG": "xx", "LANG": "zh_CN.UTF-8"}, "zh"),
    ],
)
def test_language_from_environment(env, expected):
    assert i18n.locale_lang(env) == expected


def test_pick_falls_back_to_the_other_language():
    assert i18n.pick("中文", "English", "zh") == "中文"
    assert i18n.pick("中文", "English", "en") == "English"
    assert i18n.pick("中文", None, "en") == "中文"
    assert i18n.message({"message_zh": "甲", "message_en": "A"}, "en") == "A"


@pytest.fixture(autouse=True)
def _reset_language():
    yield
    i18n.set_lang(None)


def test_check_prints_the_chosen_language():
    runner = CliRunner()
    zh = runner.invoke(app, ["--lang", "zh", "check", str(SEED_002)], env={"COLUMNS": "200"})
    en = runner.invoke(app, ["--lang", "en", "check", str(SEED_002)], env={"COLUMNS": "200"})
    assert zh.exit_code == en.exit_code == 1  # seed 002 fails request_balance
    assert "自然人列" in zh.output and "column natural_person" not in zh.output
    assert "column natural_person" in en.output and "自然人列" not in en.output


def test_json_carries_both_languages_whatever_the_choice():
    result = CliRunner().invoke(app, ["--lang", "en", "check", "--json", str(SEED_002)])
    checks = json.loads(result.output.splitlines()[0])["checks"]
    failing = [c for c in checks if c["outcome"] == "FAIL"]
    assert failing and all(c["message_zh"] and c["message_en"] for c in failing)


def test_an_unknown_language_is_refused_in_one_line():
    result = CliRunner().invoke(app, ["--lang", "fr", "check", str(SEED_002)])
    assert result.exit_code == 2
    assert "zh or en" in result.output
