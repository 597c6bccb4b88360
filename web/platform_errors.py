"""A platform's refusal said in words: what happened and what to do, in the reader's language.

What the adapters store (Delivery.error, a check's message, an alert's message) is English for experts and
carries the platform's own status and codes as the adapters write them: "(HTTP 401)", "(code 190, subcode
463)", "ExpiredToken", "retry after 35". `explain` turns that, with the delivery's error kind (dispatch:
auth, rate_limited, retryable, rejected, outcome_unknown...), into one sentence; the pages keep the original
behind a <details> "Original message" (templates/_platform_error.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from web import labels

# The platform in a sentence: proper names as they are, the rest in words.
PLATFORMS = {
    "x": "X", "facebook": "Facebook", "mastodon": "Mastodon", "bluesky": "Bluesky", "telegram": "Telegram",
    "wordpress": "WordPress",
    "email": _l("The mail server"), "state_portal": _l("The state portal"), "local_folder": _l("The folder"),
    "feed": _l("The public feed"),
}

SENTENCES = {
    "token_revoked": _l("%(platform)s refused the login: the access token was revoked or is no longer valid. "
                        "Enter new credentials in the channel's settings, then resume the channel if it is paused."),
    "token_expired": _l("%(platform)s refused the login: the access token has expired. Make a new one, enter it "
                        "in the channel's settings, then resume the channel if it is paused."),
    "password_changed": _l("%(platform)s refused the login: the password of the account that made the token was "
                           "changed. Make a new token and enter it in the channel's settings."),
    "login_refused": _l("%(platform)s refused the login. Check the credentials in the channel's settings, then "
                        "resume the channel if it is paused."),
    "no_permission": _l("%(platform)s does not let this account post there. Give the account the right to post, "
                        "then resume the channel if it is paused."),
    "blocked": _l("%(platform)s has blocked the account from posting for a while, as it considers the activity "
                  "abusive. Wait, look at the account's notifications there, then send again."),
    "duplicate": _l("%(platform)s says the same text was already posted: it probably went out. Look at the account "
                    "before sending it again."),
    "too_long": _l("%(platform)s refused the post as too long. Shorten its text for this channel and send it "
                   "again."),
    "media_refused": _l("%(platform)s refused an image or video of the post. Check the file's type and size, "
                        "then send again."),
    "content_refused": _l("%(platform)s refused the post as it is (for example its length or a file). The original "
                          "message says which; correct it and send again."),
    "rate_limited": _l("%(platform)s asked us to slow down. The post goes out by itself when it lets us send "
                       "again."),
    "rate_limited_seconds": _l("%(platform)s asked us to wait %(seconds)s seconds before sending again. The post "
                               "goes out by itself then."),
    "platform_failed": _l("%(platform)s had a failure of its own. It is tried again automatically."),
    "unreachable": _l("%(platform)s could not be reached. It is tried again automatically."),
    "outcome_unknown": _l("Nobody knows whether the post went out: the connection ended before the platform "
                          "answered. It is asked again; if it cannot tell, look at the account and say whether it "
                          "went out."),
    "stale": _l("The post was due too long ago to send it without asking. Decide whether it should still go "
                "out."),
    "refused": _l("%(platform)s refused the post. The original message says why."),
    "other": _l("%(platform)s answered with an error. The original message says what it was."),
}

_STATUS = re.compile(r"\bHTTP (\d{3})\b")
_GRAPH_CODE = re.compile(r"\(code (\d+)(?:, subcode (\d+))?\)")
_RETRY_AFTER = re.compile(r"retry after (\d+)", re.IGNORECASE)
_X_CODE = re.compile(r"\bcode[\": ]+(\d+)")  # X v1.1 bodies quoted whole: {"errors":[{"code":187,...}]}
FACEBOOK_TOKEN_SUBCODES = {"460": "password_changed", "463": "token_expired", "467": "token_revoked"}
FACEBOOK_LIMIT_CODES = {"4", "17", "32", "613"}
FACEBOOK_PERMISSION_CODES = {"10", "200", "210"}
NOT_SENT_KINDS = {"outcome_unknown", "lease_expired", "worker_lost", "adapter_error"}


@dataclass(frozen=True)
class Explanation:
    code: str  # a key of SENTENCES
    params: dict[str, str] = field(default_factory=dict)


def classify(kind: str, error_kind: str | None, message: str) -> Explanation:
    """What the stored error means, from the adapter's error kind and the platform's codes in its message."""
    text = message or ""
    low = text.lower()
    status = int(m.group(1)) if (m := _STATUS.search(text)) else None
    graph = _GRAPH_CODE.search(text) if kind == "facebook" else None
    code, subcode = (graph.group(1), graph.group(2)) if graph else (None, None)
    x_codes = set(_X_CODE.findall(text)) if kind == "x" else set()

    if "duplicate" in low or code == "506" or "187" in x_codes:
        return Explanation("duplicate")
    if error_kind in NOT_SENT_KINDS:
        return Explanation("outcome_unknown")
    if error_kind == "stale":
        return Explanation("stale")
    if error_kind == "rate_limited" or status == 429 or "ratelimitexceeded" in low or code in FACEBOOK_LIMIT_CODES \
            or "is limiting" in low:
        seconds = _RETRY_AFTER.search(text)
        return Explanation("rate_limited_seconds", {"seconds": seconds.group(1)}) if seconds \
            else Explanation("rate_limited")
    if code == "368":
        return Explanation("blocked")
    if code == "190":
        return Explanation(FACEBOOK_TOKEN_SUBCODES.get(subcode or "", "token_revoked"))
    if "expiredtoken" in low or "token has expired" in low or "session has expired" in low:
        return Explanation("token_expired")
    if "invalidtoken" in low or "89" in x_codes or "invalid or expired token" in low or "revoked" in low \
            or "token is invalid" in low:
        return Explanation("token_revoked")
    if code in FACEBOOK_PERMISSION_CODES or "may not post" in low or "does not let this app post" in low \
            or "lacks" in low or "can only read" in low:
        return Explanation("no_permission")
    if status == 401 or error_kind == "auth" or "refused the login" in low or "refused the credentials" in low:
        return Explanation("login_refused")
    if "186" in x_codes or "too long" in low or "shorter" in low or "character limit" in low:
        return Explanation("too_long")
    if "324" in x_codes or (kind == "x" and "media" in low):
        return Explanation("media_refused")
    if status == 422 or (status == 413):
        return Explanation("content_refused")
    if status is not None and status >= 500:
        return Explanation("platform_failed")
    if error_kind == "retryable":
        return Explanation("unreachable")
    if error_kind == "rejected" or status is not None and 400 <= status < 500:
        return Explanation("refused")
    return Explanation("other")


def explain(kind: str, error_kind: str | None, message: str) -> str:
    """One sentence in the reader's language: what happened and what to do."""
    found = classify(kind, error_kind, message)
    platform = str(PLATFORMS.get(kind, gettext("The platform")))
    if found.code == "other" and error_kind in labels.ERROR_KINDS:  # publisher's own reasons, not the platform's
        return f"{platform}: {labels.error_kind(error_kind)}"
    return str(SENTENCES[found.code]) % {"platform": platform, **found.params}


def check_error_kind(outcome: str) -> str:
    """A credential check's outcome as the error kind `explain` knows: refused is a refused login."""
    return "auth" if outcome == "refused" else "retryable"
