#!/usr/bin/env bash
# Installs the browser the dashboard's browser tests drive (tests/support/browser.py): Debian's chromium.
#
# Idempotent and quick when they are there: one dpkg-query a package, no network. `apt-get update` runs only
# when a package is missing.
# Playwright's own browser download cannot work here (no network beyond the package registries), so the
# tests launch /usr/bin/chromium through Playwright's executable_path instead.
set -euo pipefail

BROWSER=/usr/bin/chromium
# DejaVu covers Latin and Cyrillic, so the screenshots show real letters (chromium brings a font only
# through an alternative dependency of fontconfig's).
PACKAGES=(chromium fonts-dejavu-core)

source "$(dirname "$0")/debian_packages.sh"
missing_packages "${PACKAGES[@]}"
if [[ ${#missing[@]} -eq 0 && -x $BROWSER ]]; then
    exit 0
fi

[[ ${#missing[@]} -gt 0 ]] || missing=("${PACKAGES[@]}")  # packages there, but no browser: reinstall them
echo "install_browser: installing ${missing[*]}" >&2
become_root install_browser "$0" "$@"

export DEBIAN_FRONTEND=noninteractive
# A fresh machine's package lists may be absent or stale: apt-get install needs them current.
apt-get update -qq || echo "install_browser: apt-get update failed; trying the lists there are" >&2
if ! apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null; then
    echo "install_browser: could not install ${PACKAGES[*]} from Debian's packages (see apt-get above)" >&2
    exit 1
fi
if [[ ! -x $BROWSER ]]; then
    echo "install_browser: ${PACKAGES[*]} installed but $BROWSER is not there" >&2
    exit 1
fi
echo "install_browser: done ($("$BROWSER" --version 2>/dev/null || echo "$BROWSER"))" >&2
