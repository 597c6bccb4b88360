"""Settings from the environment: the worker's recovery settings hang together or are refused by name."""

from __future__ import annotations

from datetime import timedelta

import pytest

from publisher.core.config import ConfigError, Settings
from publisher.publishing.worker import options_from


def test_the_heartbeat_and_the_grace_reach_the_worker(tmp_path):
    settings = Settings.from_env({"PUBLISHER_HEARTBEAT_SECONDS": "1", "PUBLISHER_DEAD_WORKER_GRACE_SECONDS": "6"},
                                 instance_dir=tmp_path)
    options = options_from(settings)
    assert (options.heartbeat_seconds, options.dead_worker_grace, options.reap_seconds) == \
        (1.0, timedelta(seconds=6), 2.0)  # the reaper looks three times per grace
    defaults = options_from(Settings.from_env({}, instance_dir=tmp_path))
    assert (defaults.heartbeat_seconds, defaults.dead_worker_grace, defaults.reap_seconds) == \
        (2.0, timedelta(seconds=15), 5.0)


@pytest.mark.parametrize(("env", "message"), [
    ({"PUBLISHER_HEARTBEAT_SECONDS": "5"},
     "PUBLISHER_HEARTBEAT_SECONDS=5 must be at most a quarter of PUBLISHER_DEAD_WORKER_GRACE_SECONDS=15"),
    ({"PUBLISHER_DEAD_WORKER_GRACE_SECONDS": "0.5"}, "PUBLISHER_DEAD_WORKER_GRACE_SECONDS='0.5' must be at least 1"),
    ({"PUBLISHER_HEARTBEAT_SECONDS": "often"}, "PUBLISHER_HEARTBEAT_SECONDS='often' is not a number"),
    ({"PUBLISHER_CREDENTIAL_CHECK_HOURS": "nan"}, "PUBLISHER_CREDENTIAL_CHECK_HOURS='nan' is not a number"),
    ({"PUBLISHER_CREDENTIAL_WARN_DAYS": "inf"}, "PUBLISHER_CREDENTIAL_WARN_DAYS='inf' is not a number"),
    ({"PUBLISHER_CREDENTIAL_CHECK_HOURS": "0"}, "PUBLISHER_CREDENTIAL_CHECK_HOURS='0' must be at least 0.25"),
    ({"PUBLISHER_AGENDA_WEEKS_AHEAD": "13"}, "PUBLISHER_AGENDA_WEEKS_AHEAD=13 must be at most 12"),
    ({"PUBLISHER_AGENDA_MEETINGS_DELAY_DAYS": "-1"}, "PUBLISHER_AGENDA_MEETINGS_DELAY_DAYS='-1' must be at least 0"),
])
def test_recovery_settings_that_cannot_work_are_refused_by_name(tmp_path, env, message):
    with pytest.raises(ConfigError) as refused:
        Settings.from_env(env, instance_dir=tmp_path)
    assert str(refused.value) == message


def test_the_public_agenda_settings(tmp_path):
    assert (Settings.from_env({}, instance_dir=tmp_path).agenda_meetings_delay_days,
            Settings.from_env({}, instance_dir=tmp_path).agenda_weeks_ahead) == (7, 2)
    chosen = Settings.from_env({"PUBLISHER_AGENDA_MEETINGS_DELAY_DAYS": "14", "PUBLISHER_AGENDA_WEEKS_AHEAD": "0"},
                               instance_dir=tmp_path)
    assert (chosen.agenda_meetings_delay_days, chosen.agenda_weeks_ahead) == (14, 0)


def test_the_default_database_is_instance_publisher_db(tmp_path):
    assert Settings.from_env({}, instance_dir=tmp_path).database_url == f"sqlite:///{tmp_path / 'publisher.db'}"


def test_an_instance_made_while_the_file_was_misnamed_keeps_its_database(tmp_path):
    (tmp_path / "publisher.core.db").write_bytes(b"")  # the name the code gave it for a day by mistake
    assert Settings.from_env({}, instance_dir=tmp_path).database_url.endswith("/publisher.core.db")
    (tmp_path / "publisher.db").write_bytes(b"")
    assert Settings.from_env({}, instance_dir=tmp_path).database_url.endswith("/publisher.db")
