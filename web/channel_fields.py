"""Words for connecting a channel: each kind's name and each setting's label and help (what it is, where to
find it on the platform) in the reader's language. The adapters' own descriptions (channels/*.py) stay the
English reference of the docs and the API; a setting this table does not know yet falls back to them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from channels.base import ConfigField

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


_TIMEOUT = _l("How long to wait for an answer before trying again later. Leave it empty for the usual "
              "%(default)d seconds; at most %(max)d.")

SETTINGS: dict[tuple[str, str], Words] = {
    # Bluesky
    ("bluesky", "handle"): Words(_l("Account handle"), _l(
        "The account's name on Bluesky without the @, e.g. ministarstvo.bsky.social: it is on the account's "
        "profile page.")),
    ("bluesky", "app_password"): Words(_l("App password"), _l(
        "A password made for this program only, in the form xxxx-xxxx-xxxx-xxxx: in Bluesky, Settings → "
        "Privacy and security → App passwords → Add. Not the account's own password.")),
    ("bluesky", "service"): Words(_l("Server address"), _l(
        "Only for an account on its own server: that server's https:// address. Leave it empty for "
        "bsky.social.")),
    ("bluesky", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    # Press list (e-mail)
    ("email", "host"): Words(_l("Mail server"), _l(
        "The name of the server that sends the mail (SMTP), e.g. smtp.office365.com or the ministry's own "
        "relay: the IT department knows it.")),
    ("email", "port"): Words(_l("Server port"), _l(
        "Usually 587; 465 when the connection is encrypted from the start. Leave it empty for 587.")),
    ("email", "username"): Words(_l("Login name"), _l(
        "The account the mail is sent with, usually an address. Leave it empty for a relay that needs no "
        "login.")),
    ("email", "password"): Words(_l("Login password"), _l(
        "The password of that account, or an app password if the mail service asks for one.")),
    ("email", "starttls"): Words(_l("Encrypt after connecting (STARTTLS)"), _l(
        "“true” or “false”. Leave it empty: it is on, except with encryption from the start.")),
    ("email", "ssl"): Words(_l("Encrypt from the start (SSL/TLS)"), _l(
        "“true” for servers on port 465, otherwise leave it empty.")),
    ("email", "ca_file"): Words(_l("Certificate authority file"), _l(
        "Only for an internal server with the ministry's own certificate: the path of its PEM file on this "
        "server, from the IT department.")),
    ("email", "sender"): Words(_l("Sender"), _l(
        "Who the mail comes from, e.g. Ministarstvo <press@ministarstvo.gov.rs>. The server must allow "
        "sending as this address.")),
    ("email", "recipients"): Words(_l("Recipients"), _l(
        "The press list: e-mail addresses separated by commas or on separate lines.")),
    ("email", "reply_to"): Words(_l("Reply address"), _l(
        "Where journalists' replies go, if not to the sender.")),
    ("email", "max_attachments_mb"): Words(_l("Largest attachments (MB)"), _l(
        "The total size of one post's attachments, 1 to 100 MB. Leave it empty for 20.")),
    ("email", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    # Facebook page
    ("facebook", "page_id"): Words(_l("Page ID"), _l(
        "The page's number: on the page, About → Page transparency, or in Meta Business Suite → Settings.")),
    ("facebook", "page_access_token"): Words(_l("Page access token"), _l(
        "A long-lived token of the page with the pages_manage_posts permission: from the Meta app in "
        "developers.facebook.com (Graph API Explorer → the page → Generate token).")),
    ("facebook", "app_id"): Words(_l("App ID"), _l(
        "The Meta app's number, from developers.facebook.com → My apps. With the app secret it lets us see "
        "when the token expires.")),
    ("facebook", "app_secret"): Words(_l("App secret"), _l(
        "From developers.facebook.com → the app → App settings → Basic → App secret. Give it together with "
        "the app ID.")),
    ("facebook", "graph_version"): Words(_l("Graph API version"), _l(
        "Leave it empty unless the IT department asks for a particular version, e.g. v21.0.")),
    ("facebook", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    # Public feed
    ("feed", "slug"): Words(_l("Feed name in its address"), _l(
        "The last part of the feed's address /feed/<name>.atom: lower-case letters, digits and '-', "
        "e.g. saopstenja.")),
    ("feed", "public_url"): Words(_l("This site's public address"), _l(
        "The address at which the public reaches this program, e.g. https://press.example.rs.")),
    ("feed", "title"): Words(_l("Feed title"), _l(
        "What feed readers show as its name. Leave it empty for the channel's name.")),
    # Local folder
    ("local_folder", "path"): Words(_l("Folder"), _l(
        "The folder on this server that posts are written into, e.g. /srv/publisher/outbox; it is made if "
        "it does not exist. Ask the IT department which folder to use.")),
    # Mastodon
    ("mastodon", "api_base_url"): Words(_l("Server address"), _l(
        "The https:// address of the Mastodon server the account is on, e.g. https://mastodon.social.")),
    ("mastodon", "access_token"): Words(_l("Access token"), _l(
        "In Mastodon: Preferences → Development → New application (with write permission), then copy "
        "“Your access token”.")),
    ("mastodon", "visibility"): Words(_l("Visibility"), _l(
        "“public” to show posts on the public timelines (the usual), or “unlisted” to show them only to "
        "followers and on the profile.")),
    ("mastodon", "language"): Words(_l("Language code for posts without a language"), _l(
        "A two- or three-letter code such as sr or sq. Leave it empty: posts carry their own language.")),
    ("mastodon", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    ("mastodon", "media_timeout"): Words(_l("Waiting time for media (seconds)"), _l(
        "How long to wait while the server prepares an uploaded image or video, 1 to 600 seconds. Leave it "
        "empty for 120.")),
    # State portal
    ("state_portal", "url"): Words(_l("Portal address"), _l(
        "The address the portal gave for receiving posts (its webhook), beginning with https://.")),
    ("state_portal", "secret"): Words(_l("Signing secret"), _l(
        "The secret the portal gave with that address (often beginning with whsec_): it proves to the "
        "portal that posts come from us.")),
    ("state_portal", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    ("state_portal", "health_url"): Words(_l("Status address"), _l(
        "An address of the portal that answers while it works, if the portal has one: the check uses it.")),
    # Telegram
    ("telegram", "bot_token"): Words(_l("Bot token"), _l(
        "In Telegram, write to @BotFather: /newbot gives the token (123456789:AA…). Then make the bot an "
        "administrator of the channel that may post.")),
    ("telegram", "chat_id"): Words(_l("Channel"), _l(
        "The channel's @name for a public channel, or its number (beginning with -100) for a private one.")),
    ("telegram", "api_base"): Words(_l("Bot API server"), _l(
        "Only for the ministry's own Bot API server. Leave it empty for Telegram's.")),
    ("telegram", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    # WordPress
    ("wordpress", "base_url"): Words(_l("Website address"), _l(
        "The site's address, e.g. https://www.example.gov.rs.")),
    ("wordpress", "username"): Words(_l("WordPress user"), _l(
        "The user the posts are published as; it needs the Editor or Author role (WordPress → Users).")),
    ("wordpress", "application_password"): Words(_l("Application password"), _l(
        "In WordPress: Users → Profile of that user → Application passwords → Add new. Not the user's own "
        "password.")),
    ("wordpress", "status"): Words(_l("Status of new posts"), _l(
        "“publish” to publish at once (the usual); “draft” or “pending” where someone on the site reviews "
        "posts first.")),
    ("wordpress", "categories"): Words(_l("Categories"), _l(
        "Names or numbers of categories the posts go into, separated by commas; they must exist on the site "
        "(Posts → Categories).")),
    ("wordpress", "tags"): Words(_l("Tags"), _l(
        "Tags added to every post, separated by commas; tags that do not exist yet are made.")),
    ("wordpress", "scripts"): Words(_l("Scripts for Serbian posts"), _l(
        "“both” for a Cyrillic and a Latin post (the usual), or “cyrillic” or “latin” for one of them.")),
    ("wordpress", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
    ("wordpress", "max_media_mb"): Words(_l("Largest file (MB)"), _l(
        "The largest file the site accepts, 1 to 1024 MB (WordPress → Media → Add new shows it). Leave it "
        "empty for 64.")),
    # X
    ("x", "consumer_key"): Words(_l("API key"), _l(
        "In the X developer portal (developer.x.com): Projects & Apps → the app → Keys and tokens → "
        "Consumer keys → API key.")),
    ("x", "consumer_secret"): Words(_l("API key secret"), _l(
        "Shown with the API key, in the same place.")),
    ("x", "access_token"): Words(_l("Access token"), _l(
        "Keys and tokens → Authentication tokens → Access token, made for the ministry's account with "
        "Read and write permission.")),
    ("x", "access_token_secret"): Words(_l("Access token secret"), _l(
        "Shown with the access token, in the same place.")),
    ("x", "timeout"): Words(_l("Waiting time (seconds)"), _TIMEOUT),
}

# The adapters' `timeout` settings: (default, largest) as the help states them.
TIMEOUTS = {"bluesky": (30, 120), "email": (60, 300), "facebook": (30, 300), "mastodon": (30, 120),
            "state_portal": (30, 120), "telegram": (60, 300), "wordpress": (60, 300), "x": (30, 120)}


def setting_label(kind: str, setting: ConfigField) -> str:
    words = SETTINGS.get((kind, setting.name))
    return str(words.label) if words else setting.name


def setting_help(kind: str, setting: ConfigField) -> str:
    words = SETTINGS.get((kind, setting.name))
    if words is None:
        return setting.description
    if setting.name == "timeout":
        default, largest = TIMEOUTS.get(kind, (30, 120))
        return str(words.help) % {"default": default, "max": largest}
    return str(words.help)


def is_translated(kind: str, setting: ConfigField) -> bool:
    return (kind, setting.name) in SETTINGS
