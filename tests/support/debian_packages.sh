# Shared by the install_*.sh scripts (sourced, not run): which Debian packages are missing, and running
# the installing script again as root through sudo when it is not root already.

# missing_packages PKG...: sets the array `missing` to those of PKG not installed (one dpkg-query each).
missing_packages() {
    missing=()
    local pkg status
    for pkg in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
        [[ "$status" == ii* ]] || missing+=("$pkg")
    done
}

# become_root NAME SCRIPT ARGS...: returns when root; else re-runs SCRIPT with sudo (no password) or
# says what to install and exits 1.
become_root() {
    local name=$1 script=$2
    shift 2
    if [[ $(id -u) -eq 0 ]]; then
        return
    fi
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        exec sudo -n bash "$script" "$@"
    fi
    echo "$name: not root; run: apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
}

# install_without_services PKG...: apt-get install, with no service started by the packages' scripts: where no
# policy-rc.d forbids starting services (Docker images ship one that does), one is put in place for the
# duration of the install and removed afterwards. Needs root (become_root first).
install_without_services() {
    local policy=/usr/sbin/policy-rc.d made_policy="" status=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod 755 "$policy"
        made_policy=yes
    fi
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null; } || status=$?
    if [[ -n $made_policy ]]; then rm -f "$policy"; fi
    return "$status"
}
