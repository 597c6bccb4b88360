"""One contract, every registered channel kind: the same promises, checked the same way."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from PIL import Image

from channels import registry
from channels.base import Capabilities, Channel, Content, MediaItem, Problem
from channels.errors import ChannelConfigError

KINDS = sorted(registry.kinds())


@pytest.fixture(params=KINDS)
def kind(request) -> type[Channel]:
    return registry.adapter_class(request.param)


def build(cls: type[Channel]) -> Channel:
    config, credentials = cls.split_settings(cls.example_settings)
    return cls(config, credentials, name="kanal")


def image(tmp_path: Path, alt: str) -> MediaItem:
    path = tmp_path / "slika.png"
    Image.new("RGB", (8, 8), (200, 0, 0)).save(path)
    return MediaItem(path=path, content_type="image/png", sha256="a" * 64, size=path.stat().st_size,
                     alt_text=alt, filename="slika.png")


def content(text: str = "Министарство привреде објављује.", media: tuple[MediaItem, ...] = ()) -> Content:
    return Content(post_id=1, title="Саопштење", text=text, language="sr-Cyrl", media=media)


def test_every_builtin_kind_is_registered():
    assert {"state_portal", "local_folder"} <= set(KINDS)


def test_it_describes_itself(kind):
    assert kind.kind and kind.label
    assert kind.config_fields, "settings must be declared, so admins know what to give"
    assert kind.example_settings, "example settings document the kind and feed this contract"
    assert isinstance(kind.capabilities(), Capabilities)
    for method in ("publish", "find", "check", "validate"):
        assert not getattr(getattr(kind, method), "__isabstractmethod__", False)
    assert "key" in inspect.signature(kind.publish).parameters


def test_example_settings_build_an_adapter_without_the_network(kind):
    assert isinstance(build(kind), kind)


def test_unknown_and_missing_settings_are_refused(kind):
    with pytest.raises(ChannelConfigError, match="unknown setting"):
        kind.split_settings({**kind.example_settings, "no_such_setting": 1})
    required = [f.name for f in kind.config_fields if f.required]
    if required:
        settings = dict(kind.example_settings)
        settings.pop(required[0])
        with pytest.raises(ChannelConfigError, match=f"missing required setting.*{required[0]}"):
            kind.split_settings(settings)


def test_secrets_stay_secret(kind):
    secrets = [f.name for f in kind.config_fields if f.secret]
    config, credentials = kind.split_settings(kind.example_settings)
    assert set(credentials) <= set(secrets) and not set(config) & set(secrets)
    if secrets and credentials:
        with pytest.raises(ChannelConfigError, match="credential"):
            kind({**config, **credentials}, {}, name="kanal")  # a secret given as a plain setting
        adapter = build(kind)
        for value in credentials.values():
            assert str(value) not in repr(adapter)


def test_a_plain_post_passes_validation(kind):
    assert build(kind).validate(content()) == []


def test_problems_name_the_channel_in_the_officers_words(kind):
    caps = kind.capabilities()
    problems = build(kind).validate(content(text=""))
    if caps.max_text is not None:
        problems += build(kind).validate(content(text="а" * (caps.max_text + 1)))
        assert any(f"{caps.max_text + 1} of {caps.max_text}" in p.message for p in problems)
    assert problems, "an empty post must not pass"
    assert all(isinstance(p, Problem) and p.channel == "kanal" and p.message for p in problems)


def test_an_image_without_alt_text_is_refused_where_alt_text_shows(kind, tmp_path):
    caps = kind.capabilities()
    if caps.max_images == 0:
        pytest.skip(f"{kind.kind} takes no images")  # a fact of the platform, not a missing service
    problems = build(kind).validate(content(media=(image(tmp_path, alt=""),)))
    assert any("alt text" in p.message for p in problems) == caps.alt_text_required
    assert build(kind).validate(content(media=(image(tmp_path, alt="Зграда министарства"),))) == []
