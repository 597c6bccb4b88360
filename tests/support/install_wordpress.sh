#!/usr/bin/env bash
# Installs what the real-WordPress tests need (tests/support/wordpress_site.py), from Debian's packages.
#
# Idempotent and quick when everything is there: one dpkg-query, no network. `apt-get update` runs only
# when a package is missing. Needs root (or sudo) to install; prints what it would install otherwise.
#
# Debian's `wordpress` depends on "apache2 | httpd" and "libapache2-mod-php | php", so apt brings
# apache2 along even though the tests serve the site with PHP's built-in server. Apache must not be
# started by the install (install_without_services, debian_packages.sh).
set -euo pipefail

PACKAGES=(wordpress php-cli php-mysql php-gd php-curl php-xml php-mbstring)

source "$(dirname "$0")/debian_packages.sh"
missing_packages "${PACKAGES[@]}"
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

echo "install_wordpress: installing ${missing[*]}" >&2
become_root install_wordpress "$0" "$@"

install_without_services "${PACKAGES[@]}"
echo "install_wordpress: done" >&2
