#!/usr/bin/env bash
# Installs the IMAP server the mailbox reader's tests talk to (tests/support/imap_server.py): Debian's dovecot.
#
# Idempotent and quick when it is there: one dpkg-query, no network. `apt-get update` runs only when the
# package is missing. The tests run dovecot themselves, unprivileged, with a config in a temporary directory;
# the system service is neither started by the install (install_without_services) nor needed.
set -euo pipefail

PACKAGES=(dovecot-imapd)

source "$(dirname "$0")/debian_packages.sh"
missing_packages "${PACKAGES[@]}"
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

echo "install_dovecot: installing ${missing[*]}" >&2
become_root install_dovecot "$0" "$@"

if ! install_without_services "${PACKAGES[@]}"; then
    echo "install_dovecot: could not install ${PACKAGES[*]} from Debian's packages (see apt-get above)" >&2
    exit 1
fi
echo "install_dovecot: done" >&2
