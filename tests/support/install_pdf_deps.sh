#!/usr/bin/env bash
# Installs what PDF documents need (publisher/pdf): the libraries WeasyPrint loads (pango, with harfbuzz and
# fontconfig) and the DejaVu fonts, whose Serif has the Serbian Cyrillic forms (OpenType locl for 'SRB ').
# With --tests also poppler-utils: the tests read a PDF's text back with pdftotext.
#
# Idempotent and quick when everything is there: one dpkg-query a package, no network. `apt-get update` runs
# only when a package is missing. `make run` calls it too: there a failure only warns (exit 0), the product
# runs, and the post page says what is missing when someone asks for a PDF (publisher/pdf/readiness.py).
set -euo pipefail

PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fontconfig fonts-dejavu-core fonts-dejavu-extra)
warn_only=yes
if [[ ${1:-} == --tests ]]; then
    PACKAGES+=(poppler-utils)
    warn_only=""
fi

give_up() {
    echo "install_pdf_deps: $1" >&2
    if [[ -n $warn_only ]]; then
        echo "install_pdf_deps: PDF documents will not work until these are installed; the rest runs" >&2
        exit 0
    fi
    exit 1
}

source "$(dirname "$0")/debian_packages.sh"
if ! command -v dpkg-query >/dev/null 2>&1; then
    give_up "not a Debian system (no dpkg-query): install pango and the DejaVu fonts yourself"
fi
missing_packages "${PACKAGES[@]}"
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

echo "install_pdf_deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]] && ! { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; then
    give_up "not root; run: apt-get install -y --no-install-recommends ${missing[*]}"
fi
become_root install_pdf_deps "$0" "$@"

export DEBIAN_FRONTEND=noninteractive
# A fresh machine's package lists may be absent or stale: apt-get install needs them current.
apt-get update -qq || echo "install_pdf_deps: apt-get update failed; trying the lists there are" >&2
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    give_up "could not install ${missing[*]} from Debian's packages (see apt-get above)"
fi
echo "install_pdf_deps: done" >&2
