#!/usr/bin/env bash
# Installs the IMAP server the mailbox reader's tests talk to (tests/support/imap_server.py): Debian's dovecot.
#
# Idempotent and quick when it is there: one dpkg-query, no network. `apt-get update` runs only when the
# package is missing. The tests run dovecot themselves, unprivileged, with a config in a temporary directory;
# the system service must not be started by the install (a policy-rc.d forbids it for the duration) and is
# not needed.
set -euo pipefail

PACKAGES=(dovecot-imapd)

source "$(dirname "$0")/debian_packages.sh"
missing_packages "${PACKAGES[@]}"
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

echo "install_dovecot: installing ${missing[*]}" >&2
become_root install_dovecot "$0" "$@"

policy=/usr/sbin/policy-rc.d
made_policy=""
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    made_policy=yes
fi
cleanup() { if [[ -n $made_policy ]]; then rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || echo "install_dovecot: apt-get update failed; trying the lists there are" >&2
if ! apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null; then
    echo "install_dovecot: could not install ${PACKAGES[*]} from Debian's packages (see apt-get above)" >&2
    exit 1
fi
echo "install_dovecot: done" >&2
