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
