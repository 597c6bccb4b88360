"""The limits and the reverse proxy come from the environment; a value that cannot be used names its variable."""

from __future__ import annotations

import pytest

from publisher.cli import server_options
from publisher.core.config import ConfigError, Settings

BASE = {"PUBLISHER_SECRET_KEY": "s", "PUBLISHER_CREDENTIALS_KEY": "k"}


def settings(tmp_path, **env: str) -> Settings:
    return Settings.from_env({**BASE, **env}, instance_dir=tmp_path)


def test_the_defaults_trust_no_proxy_and_keep_forms_small(tmp_path):
    s = settings(tmp_path)
    assert (s.max_form_bytes, s.max_upload_bytes, s.api_refusals_per_minute) == (512 * 1024, 520 * 1024 ** 2, 30)
    options = server_options(s)
    assert "trusted_proxy" not in options
    assert options["max_request_body_size"] == 521 * 1024 ** 2


def test_a_proxy_is_passed_to_waitress(tmp_path):
    s = settings(tmp_path, PUBLISHER_TRUSTED_PROXY="10.0.0.5", PUBLISHER_TRUSTED_PROXY_COUNT="2",
                 PUBLISHER_TRUSTED_PROXY_HEADERS="X-Forwarded-For, x-forwarded-proto", PUBLISHER_MAX_FORM_KB="64",
                 PUBLISHER_MAX_UPLOAD_MB="100", PUBLISHER_API_REFUSALS_PER_MINUTE="5")
    assert (s.max_form_bytes, s.max_upload_bytes, s.api_refusals_per_minute) == (64 * 1024, 100 * 1024 ** 2, 5)
    options = server_options(s)
    assert (options["trusted_proxy"], options["trusted_proxy_count"], options["trusted_proxy_headers"]) == (
        "10.0.0.5", 2, "x-forwarded-for x-forwarded-proto")
    assert options["clear_untrusted_proxy_headers"] is True


@pytest.mark.parametrize(("name", "value"), [
    ("PUBLISHER_TRUSTED_PROXY_HEADERS", "x-real-ip"), ("PUBLISHER_TRUSTED_PROXY_COUNT", "0"),
    ("PUBLISHER_MAX_FORM_KB", "lots"), ("PUBLISHER_API_REFUSALS_PER_MINUTE", "0")])
def test_an_unusable_value_names_its_variable(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        settings(tmp_path, **{name: value})
