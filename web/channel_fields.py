"""Words for connecting a channel: each kind's name and each setting's label and help (what it is, where to
find it on the platform) in the reader's language. The adapters' own descriptions (channels/*.py) stay the
English reference of the docs and the API; a setting this table does not know yet falls back to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from channels import registry
from channels.base import TOGETHER, ConfigField

CHANNEL_KINDS = {
    "bluesky": _l("Bluesky"),
    "email": _l("Press list (e-mail)"),
    "facebook": _l("Facebook page"),
    "feed": _l("Public feed (Atom/RSS)"),
    "local_folder": _l("Local folder"),
    "mastodon": _l("Mastodon"),
    "state_portal": _l("State portal"),
    "telegram": _l("Telegram channel"),
    "wordpress": _l("Official website (WordPress)"),
    "x": _l("X (Twitter)"),
}


def kind_name(kind: str) -> str:
    """A channel kind in words; one this table does not know is named as "another kind of channel"."""
    return str(CHANNEL_KINDS[kind]) if kind in CHANNEL_KINDS else gettext("another kind of channel")


@dataclass(frozen=True)
class Words:
    label: LazyString
    help: LazyString
    # What stays as the platform writes it in every language (its menus, values the adapter expects,
    # examples): placeholders, so that the Cyrillic catalog, made by transliteration, keeps them in Latin.
    literals: dict[str, str] = field(default_factory=dict)


_TIMEOUT = _l("How long to wait for an answer before trying again later. Leave it empty for the usual "
              "%(default)d seconds; at most %(max)d.")

SETTINGS: dict[tuple[str, str], Words] = {
    # bluesky
    ("bluesky", "handle"): Words(
        _l("Account handle"),
        _l("The account's name on Bluesky without the @, e.g. %(example)s: it is on the account's "
           "profile page."),
        {"example": "ministarstvo.bsky.social"}),
    ("bluesky", "app_password"): Words(
        _l("App password"),
        _l("A password made for this program only, in the form xxxx-xxxx-xxxx-xxxx: in Bluesky, "
           "%(path)s. Not the account's own password."),
        {"path": "Settings → Privacy and security → App passwords → Add"}),
    ("bluesky", "service"): Words(
        _l("Server address"),
        _l("Only for an account on its own server: that server's %(scheme)s address. Leave it empty "
           "for %(server)s."),
        {"scheme": "https://", "server": "bsky.social"}),
    ("bluesky", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    # email
    ("email", "host"): Words(
        _l("Mail server"),
        _l("The name of the server that sends the mail (SMTP), e.g. smtp.office365.com or the "
           "ministry's own relay: the IT department knows it.")),
    ("email", "port"): Words(
        _l("Server port"),
        _l("Usually 587; 465 when the connection is encrypted from the start. Leave it empty for 587.")),
    ("email", "username"): Words(
        _l("Login name"),
        _l("The account the mail is sent with, usually an address. Leave it empty for a relay that "
           "needs no login.")),
    ("email", "password"): Words(
        _l("Login password"),
        _l("The password of that account, or an app password if the mail service asks for one.")),
    ("email", "starttls"): Words(
        _l("Encrypt after connecting (%(protocol)s)"),
        _l("“%(yes)s” or “%(no)s”. Leave it empty: it is on, except with encryption from the start."),
        {"yes": "true", "no": "false", "protocol": "STARTTLS"}),
    ("email", "ssl"): Words(
        _l("Encrypt from the start (%(protocol)s)"),
        _l("“%(yes)s” for servers on port 465, otherwise leave it empty."),
        {"yes": "true", "protocol": "SSL/TLS"}),
    ("email", "ca_file"): Words(
        _l("Certificate authority file"),
        _l("Only for an internal server with the ministry's own certificate: the path of its PEM file "
           "on this server, from the IT department.")),
    ("email", "sender"): Words(
        _l("Sender"),
        _l("Who the mail comes from, e.g. Ministarstvo <press@ministarstvo.gov.rs>. The server must "
           "allow sending as this address.")),
    ("email", "recipients"): Words(
        _l("Recipients"),
        _l("The press list: e-mail addresses separated by commas or on separate lines.")),
    ("email", "reply_to"): Words(
        _l("Reply address"),
        _l("Where journalists' replies go, if not to the sender.")),
    ("email", "max_attachments_mb"): Words(
        _l("Largest attachments (MB)"),
        _l("The total size of one post's attachments, 1 to 100 MB. Leave it empty for 20.")),
    ("email", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    # facebook
    ("facebook", "page_id"): Words(
        _l("Page ID"),
        _l("The page's number: on the page, %(about)s, or in %(suite)s."),
        {"about": "About → Page transparency", "suite": "Meta Business Suite → Settings"}),
    ("facebook", "page_access_token"): Words(
        _l("Page access token"),
        _l("A long-lived token of the page with the %(permission)s permission: from the Meta app in "
           "developers.facebook.com (%(explorer)s → the page → %(generate)s)."),
        {"permission": "pages_manage_posts", "explorer": "Graph API Explorer", "generate": "Generate token"}),
    ("facebook", "app_id"): Words(
        _l("App ID"),
        _l("The Meta app's number, from %(path)s. With the app secret it lets us see when the token "
           "expires."),
        {"path": "developers.facebook.com → My apps"}),
    ("facebook", "app_secret"): Words(
        _l("App secret"),
        _l("From %(site)s → the app → %(path)s. Give it together with the app ID."),
        {"site": "developers.facebook.com", "path": "App settings → Basic → App secret"}),
    ("facebook", "graph_version"): Words(
        _l("%(api)s version"),
        _l("Leave it empty unless the IT department asks for a particular version, e.g. %(version)s."),
        {"version": "v21.0", "api": "Graph API"}),
    ("facebook", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    # feed
    ("feed", "slug"): Words(
        _l("Feed name in its address"),
        _l("The last part of the feed's address %(address)s: lower-case letters, digits and '-', e.g. "
           "%(example)s."),
        {"address": "/feed/<name>.atom", "example": "saopstenja"}),
    ("feed", "public_url"): Words(
        _l("This site's public address"),
        _l("The address at which the public reaches this program, e.g. https://press.example.rs.")),
    ("feed", "title"): Words(
        _l("Feed title"),
        _l("What feed readers show as its name. Leave it empty for the channel's name.")),
    # local_folder
    ("local_folder", "path"): Words(
        _l("Folder"),
        _l("The folder on this server that posts are written into, e.g. %(example)s; it is made if it "
           "does not exist. Ask the IT department which folder to use."),
        {"example": "/srv/publisher/outbox"}),
    # mastodon
    ("mastodon", "api_base_url"): Words(
        _l("Server address"),
        _l("The %(scheme)s address of the Mastodon server the account is on, e.g. %(example)s."),
        {"example": "https://mastodon.social", "scheme": "https://"}),
    ("mastodon", "access_token"): Words(
        _l("Access token"),
        _l("In Mastodon: %(path)s (with write permission), then copy “%(button)s”."),
        {"path": "Preferences → Development → New application", "button": "Your access token"}),
    ("mastodon", "visibility"): Words(
        _l("Visibility"),
        _l("“%(public)s” to show posts on the public timelines (the usual), or “%(unlisted)s” to show "
           "them only to followers and on the profile."),
        {"public": "public", "unlisted": "unlisted"}),
    ("mastodon", "language"): Words(
        _l("Language code for posts without a language"),
        _l("A two- or three-letter code such as %(sr)s or %(sq)s. Leave it empty: posts carry their "
           "own language."),
        {"sr": "sr", "sq": "sq"}),
    ("mastodon", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    ("mastodon", "media_timeout"): Words(
        _l("Waiting time for media (seconds)"),
        _l("How long to wait while the server prepares an uploaded image or video, 1 to 600 seconds. "
           "Leave it empty for 120.")),
    # state_portal
    ("state_portal", "url"): Words(
        _l("Portal address"),
        _l("The address the portal gave for receiving posts (its webhook), beginning with https://.")),
    ("state_portal", "secret"): Words(
        _l("Signing secret"),
        _l("The secret the portal gave with that address (often beginning with whsec_): it proves to "
           "the portal that posts come from us.")),
    ("state_portal", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    ("state_portal", "health_url"): Words(
        _l("Status address"),
        _l("An address of the portal that answers while it works, if the portal has one: the check "
           "uses it.")),
    # telegram
    ("telegram", "bot_token"): Words(
        _l("Bot token"),
        _l("In Telegram, write to @BotFather: %(command)s gives the token (%(example)s). Then make the"
           " bot an administrator of the channel that may post."),
        {"command": "/newbot", "example": "123456789:AA…"}),
    ("telegram", "chat_id"): Words(
        _l("Channel"),
        _l("The channel's @name for a public channel, or its number (beginning with -100) for a "
           "private one.")),
    ("telegram", "api_base"): Words(
        _l("Bot API server"),
        _l("Only for the ministry's own Bot API server. Leave it empty for Telegram's.")),
    ("telegram", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    # wordpress
    ("wordpress", "base_url"): Words(
        _l("Website address"),
        _l("The site's address, e.g. https://www.example.gov.rs.")),
    ("wordpress", "username"): Words(
        _l("WordPress user"),
        _l("The user the posts are published as; it needs the %(editor)s or %(author)s role "
           "(%(path)s)."),
        {"editor": "Editor", "author": "Author", "path": "WordPress → Users"}),
    ("wordpress", "application_password"): Words(
        _l("Application password"),
        _l("In WordPress: %(users)s → Profile of that user → %(add)s. Not the user's own password."),
        {"users": "Users", "add": "Application passwords → Add new"}),
    ("wordpress", "status"): Words(
        _l("Status of new posts"),
        _l("“%(publish)s” to publish at once (the usual); “%(draft)s” or “%(pending)s” where someone "
           "on the site reviews posts first."),
        {"publish": "publish", "draft": "draft", "pending": "pending"}),
    ("wordpress", "categories"): Words(
        _l("Categories"),
        _l("Names or numbers of categories the posts go into, separated by commas; they must exist on "
           "the site (%(path)s)."),
        {"path": "Posts → Categories"}),
    ("wordpress", "tags"): Words(
        _l("Tags"),
        _l("Tags added to every post, separated by commas; tags that do not exist yet are made.")),
    ("wordpress", "scripts"): Words(
        _l("Scripts for Serbian posts"),
        _l("“%(both)s” for a Cyrillic and a Latin post (the usual), or “%(cyrillic)s” or “%(latin)s” "
           "for one of them."),
        {"both": "both", "cyrillic": "cyrillic", "latin": "latin"}),
    ("wordpress", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    ("wordpress", "max_media_mb"): Words(
        _l("Largest file (MB)"),
        _l("The largest file the site accepts, 1 to 1024 MB (%(path)s shows it). Leave it empty for "
           "64."),
        {"path": "WordPress → Media → Add new"}),
    # x
    ("x", "consumer_key"): Words(
        _l("API key"),
        _l("In the X developer portal (%(site)s): %(projects)s → the app → %(keys)s."),
        {"site": "developer.x.com", "projects": "Projects & Apps", "keys": "Keys and tokens → Consumer keys → API key"}),
    ("x", "consumer_secret"): Words(
        _l("API key secret"),
        _l("Shown with the API key, in the same place.")),
    ("x", "access_token"): Words(
        _l("Access token"),
        _l("%(path)s, made for the ministry's account with %(permission)s permission."),
        {"path": "Keys and tokens → Authentication tokens → Access token", "permission": "Read and write"}),
    ("x", "access_token_secret"): Words(
        _l("Access token secret"),
        _l("Shown with the access token, in the same place.")),
    ("x", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
}

# Every kind takes them (channels.base.LANGUAGE_FIELDS); the modes a kind allows are its own.
_LANGUAGES = Words(
    _l("Language versions"),
    _l("Which versions of a post this channel publishes. Choose none for the post's own language only."))
_MODE_SEPARATE = Words(
    _l("How the versions go out"),
    _l("Each version goes as a post of its own: this platform takes no other way."))
_MODE_EITHER = Words(
    _l("How the versions go out"),
    _l("Each version as a post of its own (the usual), or every version in one post, one after another."))
for _kind in CHANNEL_KINDS:
    SETTINGS[_kind, "languages"] = _LANGUAGES
    SETTINGS[_kind, "language_mode"] = _MODE_SEPARATE


def _words(kind: str, setting: ConfigField) -> Words | None:
    if setting.name == "language_mode" and TOGETHER in registry.adapter_class(kind).capabilities().language_modes:
        return _MODE_EITHER
    return SETTINGS.get((kind, setting.name))


def setting_label(kind: str, setting: ConfigField) -> str:
    words = _words(kind, setting)
    if words is None:
        return setting.name
    return str(words.label) % words.literals if "%(" in str(words.label) else str(words.label)


def setting_help(kind: str, setting: ConfigField) -> str:
    words = _words(kind, setting)
    if words is None:
        return setting.description
    values: dict[str, Any] = dict(words.literals)
    if setting.name == "timeout":
        values["default"], values["max"] = _timeout_range(kind)
    return str(words.help) % values if values else str(words.help)


def _timeout_range(kind: str) -> tuple[int, int]:
    """The adapter's own (default, largest) waiting time, as the help states it."""
    default, largest = registry.adapter_class(kind).read_timeout or (30, 120)
    return round(default), round(largest)


def is_translated(kind: str, setting: ConfigField) -> bool:
    return (kind, setting.name) in SETTINGS
