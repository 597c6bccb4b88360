"""A real WordPress on 127.0.0.1 for the WordPress adapter's tests, from Debian's packages.

    with WordPressSite() as site:          # start() on entering, close() on leaving
        site.base_url                       # "http://127.0.0.1:<port>"
        site.username, site.app_password    # an editor and an Application Password of theirs
        site.admin_username, site.admin_password

What `start()` does, each step bounded in time (STARTUP_TIMEOUT for the whole, INSTALL_TIMEOUT for
installing packages when they are missing):

1. Packages: Debian's `wordpress` (6.1 on bookworm) with php-cli, php-mysql, php-gd, php-curl, php-xml and
   php-mbstring. When any is missing, `install_wordpress.sh` beside this file installs them (it is
   idempotent; `make test` runs it before pytest, so this is only the fallback for a bare `pytest`).
   Measured here: the first install about 56–63 s (apt-get update included); start() itself about 1–2 s.
2. A fresh database `wp_test_<random>` on the machine's MariaDB (127.0.0.1:3306, root, no password;
   override with PUBLISHER_TEST_MYSQL_HOST/_PORT/_USER/_PASSWORD). Created and dropped through PHP's
   mysqli, so no MySQL driver is needed on the Python side.
3. Configuration the Debian way. Debian's /usr/share/wordpress/wp-config.php loads
   /etc/wordpress/config-<name>.php, where <name> is `$_SERVER['WORDPRESS_CONFIG']` when set (only
   [a-zA-Z0-9-]), else the request's host name ("127.0.0.1"), else "default". A host-named file would be
   shared by every test run on the machine (several run at once here), so each site writes its own
   /etc/wordpress/config-publisher-test-<random>.php and sets WORDPRESS_CONFIG to pick it: PHP's built-in
   server neither copies environment variables into $_SERVER nor honours auto_prepend_file, so the router
   script (below) sets it for every request, and the install script for itself. The file sets
   WP_ENVIRONMENT_TYPE "local" (Application Passwords then work over plain HTTP), WP_HOME/WP_SITEURL,
   fresh salts, no cron, no automatic updates and WP_HTTP_BLOCK_EXTERNAL (WordPress never reaches beyond
   loopback).
4. `php -S 127.0.0.1:<free port> -t /usr/share/wordpress router.php`: the router runs every PHP file itself
   (after setting WORDPRESS_CONFIG) and sends every path that is not a file to index.php, as Apache's
   rewrite rules would, so pretty permalinks and /wp-json/ work; static files are served as they are.
   Uploads go to this site's own temporary directory (the `upload_path` option), served under /uploads/,
   not to the shared /var/lib/wordpress/wp-content/uploads.
5. wp_install() through a PHP script run by php-cli (WP_INSTALLING, wp-load.php), then an editor user and
   an Application Password for it (WP_Application_Passwords::create_new_application_password), and the
   permalink structure /%postname%/.
6. Ready when GET /wp-json/ lists the wp/v2 namespace.

`close()` kills the server (its whole process group), drops the database, removes the config file and
the temporary directory; it never raises, and runs at interpreter exit for a site nobody closed.

Every failure raises WordPressUnavailable with what was run and what it said; the tests turn that into
a failure when CI is set (1/true/yes) and a skip otherwise (`site_or_skip`).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import weakref
from pathlib import Path

import requests

__all__ = ["WordPressSite", "WordPressUnavailable", "site_or_skip", "IN_CI"]

WORDPRESS_DIR = Path("/usr/share/wordpress")
CONFIG_DIR = Path("/etc/wordpress")
INSTALL_SCRIPT = Path(__file__).with_name("install_wordpress.sh")
STARTUP_TIMEOUT = 60.0  # seconds from start() to a site that answers, packages already installed
INSTALL_TIMEOUT = 600.0  # seconds for install_wordpress.sh when packages are missing
COMMAND_TIMEOUT = 45.0
PORT_ATTEMPTS = 3
SERVER_WORKERS = 4  # PHP_CLI_SERVER_WORKERS: the adapter and the test talk to the site at once
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

EDITOR = "redakcija"
ADMIN = "admin"


class WordPressUnavailable(RuntimeError):
    """The machine cannot run the test site: packages, MariaDB or WordPress itself failed."""


def site_or_skip(error: Exception) -> None:
    """A missing WordPress fails in CI and skips (loudly) on a developer's machine."""
    import pytest

    message = f"a real WordPress is not available: {error}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# --- PHP run by the server or the CLI -----------------------------------------------------------------

_ROUTER = """<?php
// Router for PHP's built-in server. It runs first for every request, at global scope, so WordPress can be
// required from here: it picks this site's /etc/wordpress/config-<name>.php in Debian's wp-config.php (the
// built-in server neither copies environment variables into $_SERVER nor honours auto_prepend_file), and it
// sends every path that is not a file to index.php, as Apache's rewrite rules would.
$_SERVER['WORDPRESS_CONFIG'] = getenv('WORDPRESS_CONFIG');
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
$root = rtrim($_SERVER['DOCUMENT_ROOT'], '/');
$uploads = getenv('WP_TEST_UPLOADS');
if (strncmp($path, '/uploads/', 9) === 0) {
    $file = realpath($uploads . substr($path, 8));
    if ($file === false || strncmp($file, $uploads . '/', strlen($uploads) + 1) !== 0 || !is_file($file)) {
        http_response_code(404);
        return true;
    }
    header('Content-Type: ' . (mime_content_type($file) ?: 'application/octet-stream'));
    header('Content-Length: ' . filesize($file));
    readfile($file);
    return true;
}
$script = '/index.php';
if (is_file($root . $path)) {
    if (substr($path, -4) !== '.php') {
        return false;  // a static file: the built-in server sends it
    }
    $script = $path;
} elseif (is_dir($root . $path) && is_file($root . rtrim($path, '/') . '/index.php')) {
    $script = rtrim($path, '/') . '/index.php';
}
$_SERVER['SCRIPT_NAME'] = $script;
$_SERVER['PHP_SELF'] = $script;
$_SERVER['SCRIPT_FILENAME'] = $root . $script;
chdir(dirname($root . $script));
unset($path, $root, $uploads, $file);
require $_SERVER['SCRIPT_FILENAME'];
"""

_CONFIG = """<?php
// Written by tests/support/wordpress_site.py for one test run; removed when the run ends.
define('DB_NAME', {db_name});
define('DB_USER', {db_user});
define('DB_PASSWORD', {db_password});
define('DB_HOST', {db_host});
define('DB_CHARSET', 'utf8mb4');
define('WP_HOME', {base_url});
define('WP_SITEURL', {base_url});
define('WP_ENVIRONMENT_TYPE', 'local');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', false);
define('FS_METHOD', 'direct');
{salts}
$table_prefix = 'wp_';
"""

_SALT_NAMES = (
    "AUTH_KEY",
    "SECURE_AUTH_KEY",
    "LOGGED_IN_KEY",
    "NONCE_KEY",
    "AUTH_SALT",
    "SECURE_AUTH_SALT",
    "LOGGED_IN_SALT",
    "NONCE_SALT",
)

_INSTALL = """<?php
// Installs WordPress into the empty database and prints the editor's Application Password as JSON.
$_SERVER['HTTP_HOST'] = getenv('WP_TEST_HOST');
$_SERVER['WORDPRESS_CONFIG'] = getenv('WORDPRESS_CONFIG');
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/user.php';

$in = json_decode(getenv('WP_TEST_INPUT'), true);
$result = wp_install('Министарство — тест', $in['admin'], 'admin@example.invalid', false, '',
                     $in['admin_password']);
if (is_wp_error($result)) { fwrite(STDERR, $result->get_error_message()); exit(2); }

update_option('upload_path', $in['uploads']);
update_option('upload_url_path', $in['base_url'] . '/uploads');
update_option('uploads_use_yearmonth_folders', 0);
update_option('timezone_string', 'Europe/Belgrade');
global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%postname%/');
$wp_rewrite->flush_rules(false);  // false: never write an .htaccess (Debian links it into /etc)

$editor = wp_insert_user(array(
    'user_login' => $in['editor'], 'user_pass' => $in['editor_password'], 'role' => 'editor',
    'user_email' => 'redakcija@example.invalid', 'display_name' => 'Редакција',
));
if (is_wp_error($editor)) { fwrite(STDERR, $editor->get_error_message()); exit(3); }
$created = WP_Application_Passwords::create_new_application_password(
    $editor, array('name' => 'publisher tests'));
if (is_wp_error($created)) { fwrite(STDERR, $created->get_error_message()); exit(4); }
echo json_encode(array('app_password' => $created[0], 'editor_id' => $editor));
"""

_DATABASE = """<?php
// CREATE or DROP this run's database on the machine's MariaDB.
$in = json_decode(getenv('WP_TEST_INPUT'), true);
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
try {
    $db = new mysqli($in['host'], $in['user'], $in['password'], '', (int) $in['port']);
    $db->options(MYSQLI_OPT_CONNECT_TIMEOUT, 5);
    if ($in['action'] === 'create') {
        $db->query('CREATE DATABASE `' . $in['name'] . '` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    } else {
        $db->query('DROP DATABASE IF EXISTS `' . $in['name'] . '`');
    }
} catch (mysqli_sql_exception $e) {
    fwrite(STDERR, $e->getMessage());
    exit(2);
}
"""


def _php_string(value: str) -> str:
    """A PHP single-quoted literal (only \\ and ' need escaping there)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _text(data: bytes | str | None) -> str:
    if data is None:
        return "(none)"
    if isinstance(data, bytes):
        data = data.decode(errors="replace")
    return data.strip()[-2000:] or "(empty)"


def packages_missing() -> list[str]:
    """What the site needs and the machine lacks (cheap: no subprocess but `php -m`)."""
    missing = []
    if not (WORDPRESS_DIR / "wp-load.php").is_file() or not (WORDPRESS_DIR / "wp-config.php").is_file():
        missing.append("wordpress")
    php = shutil.which("php")
    if php is None:
        return [*missing, "php-cli"]
    try:
        modules = subprocess.run([php, "-m"], capture_output=True, text=True, timeout=COMMAND_TIMEOUT).stdout
    except (OSError, subprocess.TimeoutExpired):
        return [*missing, "php-cli"]
    names = {line.strip().lower() for line in modules.splitlines()}
    for module, package in (
        ("mysqli", "php-mysql"),
        ("gd", "php-gd"),
        ("mbstring", "php-mbstring"),
        ("dom", "php-xml"),
        ("curl", "php-curl"),
    ):
        if module not in names:
            missing.append(package)
    return missing


def ensure_packages() -> float:
    """Run install_wordpress.sh when something is missing; returns the seconds it took (0 if nothing)."""
    missing = packages_missing()
    if not missing:
        return 0.0
    started = time.monotonic()
    try:
        result = subprocess.run(
            ["bash", str(INSTALL_SCRIPT)],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise WordPressUnavailable(
            f"{INSTALL_SCRIPT.name} did not finish within {INSTALL_TIMEOUT:.0f} s"
        ) from None
    if result.returncode != 0:
        raise WordPressUnavailable(
            f"{INSTALL_SCRIPT.name} (for {', '.join(missing)}) exited with {result.returncode}: "
            f"{_text(result.stderr)}"
        )
    still = packages_missing()
    if still:
        raise WordPressUnavailable(f"still missing after {INSTALL_SCRIPT.name}: {', '.join(still)}")
    return time.monotonic() - started


def _cleanup(
    process: subprocess.Popen | None,
    config: Path | None,
    workdir: Path | None,
    drop: tuple[list[str], dict[str, str]] | None,
) -> None:
    """Tear everything down; no exceptions, and no reference to the site (it runs from a finalizer)."""
    if process is not None and process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
    if drop is not None:
        argv, env = drop
        with contextlib.suppress(Exception):
            subprocess.run(
                argv, env=env, capture_output=True, timeout=COMMAND_TIMEOUT, stdin=subprocess.DEVNULL
            )
    if config is not None:
        with contextlib.suppress(OSError):
            config.unlink()
    if workdir is not None:
        shutil.rmtree(workdir, ignore_errors=True)


class WordPressSite:
    def __init__(self) -> None:
        token = secrets.token_hex(5)
        self.config_name = f"publisher-test-{token}"
        self.db_name = f"wp_test_{token}"
        self.db_host = os.environ.get("PUBLISHER_TEST_MYSQL_HOST", "127.0.0.1")
        self.db_port = int(os.environ.get("PUBLISHER_TEST_MYSQL_PORT", "3306"))
        self.db_user = os.environ.get("PUBLISHER_TEST_MYSQL_USER", "root")
        self.db_password = os.environ.get("PUBLISHER_TEST_MYSQL_PASSWORD", "")
        self.admin_username = ADMIN
        self.admin_password = secrets.token_urlsafe(16)
        self.username = EDITOR
        self.editor_password = secrets.token_urlsafe(16)
        self.app_password = ""
        self.editor_id = 0
        self.port = 0
        self.install_seconds = 0.0  # install_wordpress.sh, when it had to run
        self.startup_seconds = 0.0  # database, config, server, wp_install, ready
        self.workdir: Path | None = None
        self.config_path = CONFIG_DIR / f"config-{self.config_name}.php"
        self._process: subprocess.Popen | None = None
        self._db_created = False
        self._config_written = False
        self._finalizer: weakref.finalize | None = None
        self._deadline = time.monotonic() + STARTUP_TIMEOUT

    # --- public ---------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def server_log(self) -> str:
        if self.workdir is None:
            return ""
        with contextlib.suppress(OSError):
            return (self.workdir / "server.log").read_text(errors="replace")
        return ""

    def __enter__(self) -> WordPressSite:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        self.install_seconds = ensure_packages()
        started = time.monotonic()
        deadline = self._deadline = started + STARTUP_TIMEOUT
        try:
            self.workdir = Path(tempfile.mkdtemp(prefix="publisher-wp-"))
            (self.workdir / "uploads").mkdir()
            (self.workdir / "router.php").write_text(_ROUTER)
            self._arm_finalizer()
            self._database("create")
            self._db_created = True
            self._arm_finalizer()
            self._start_server(deadline)
            self._install()
            self._wait_ready(deadline)
        except BaseException:
            self.close()
            raise
        self.startup_seconds = time.monotonic() - started

    def close(self) -> None:
        if self._finalizer is not None:
            self._finalizer()  # runs _cleanup once
        self._process = None

    def api(self, path: str) -> str:
        return f"{self.base_url}/wp-json/{path.lstrip('/')}"

    # --- steps ----------------------------------------------------------------------------------------

    def _php_env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PHP_", "WP_TEST_"))}
        env["WORDPRESS_CONFIG"] = self.config_name
        env.update(extra)
        return env

    def _php(self, script: str, name: str, payload: dict) -> str:
        assert self.workdir is not None
        timeout = max(1.0, min(COMMAND_TIMEOUT, self._deadline - time.monotonic()))
        path = self.workdir / name
        path.write_text(script)
        argv = ["php", "-d", "display_errors=stderr", str(path)]
        env = self._php_env(WP_TEST_INPUT=json.dumps(payload), WP_TEST_HOST=f"127.0.0.1:{self.port}")
        try:
            result = subprocess.run(
                argv,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                cwd=self.workdir,
            )
        except subprocess.TimeoutExpired:
            raise WordPressUnavailable(f"php {name} did not finish within {timeout:.0f} s") from None
        except OSError as exc:
            raise WordPressUnavailable(f"php could not be run: {exc}") from None
        if result.returncode != 0:
            said = _text(result.stderr) + (
                f"; stdout: {_text(result.stdout)}" if result.stdout.strip() else ""
            )
            raise WordPressUnavailable(f"php {name} exited with {result.returncode}: {said}")
        return result.stdout

    def _db_payload(self, action: str) -> dict:
        return {
            "action": action,
            "name": self.db_name,
            "host": self.db_host,
            "port": self.db_port,
            "user": self.db_user,
            "password": self.db_password,
        }

    def _database(self, action: str) -> None:
        try:
            self._php(_DATABASE, "database.php", self._db_payload(action))
        except WordPressUnavailable as exc:
            raise WordPressUnavailable(
                f"MariaDB at {self.db_host}:{self.db_port} as {self.db_user}: {action} database failed: {exc}"
            ) from None

    def _write_config(self) -> None:
        salts = "\n".join(
            f"define('{name}', {_php_string(secrets.token_urlsafe(48))});" for name in _SALT_NAMES
        )
        text = _CONFIG.format(
            db_name=_php_string(self.db_name),
            db_user=_php_string(self.db_user),
            db_password=_php_string(self.db_password),
            db_host=_php_string(f"{self.db_host}:{self.db_port}"),
            base_url=_php_string(self.base_url),
            salts=salts,
        )
        try:
            CONFIG_DIR.mkdir(parents=True, exist_ok=True)
            self.config_path.write_text(text)
            self.config_path.chmod(0o600)
        except OSError as exc:
            raise WordPressUnavailable(f"cannot write {self.config_path}: {exc}") from None
        self._config_written = True
        self._arm_finalizer()

    def _start_server(self, deadline: float) -> None:
        assert self.workdir is not None
        for _ in range(PORT_ATTEMPTS):
            self.port = _free_port()
            self._write_config()
            log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 - the child keeps it
            env = self._php_env(
                PHP_CLI_SERVER_WORKERS=str(SERVER_WORKERS), WP_TEST_UPLOADS=str(self.workdir / "uploads")
            )
            try:
                self._process = subprocess.Popen(
                    [
                        "php",
                        "-d",
                        "upload_max_filesize=80M",
                        "-d",
                        "post_max_size=80M",
                        "-d",
                        "memory_limit=512M",
                        "-S",
                        f"127.0.0.1:{self.port}",
                        "-t",
                        str(WORDPRESS_DIR),
                        str(self.workdir / "router.php"),
                    ],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    cwd=self.workdir,
                    start_new_session=True,  # its own process group: close() kills the workers too
                )
            except OSError as exc:
                raise WordPressUnavailable(f"php -S could not be started: {exc}") from None
            finally:
                log.close()
            self._arm_finalizer()
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    break  # e.g. the port was taken between _free_port() and the bind
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.5):
                    return
                time.sleep(0.05)
            else:
                raise WordPressUnavailable(
                    f"php -S did not listen within {STARTUP_TIMEOUT:.0f} s; log: {_text(self.server_log)}"
                )
        raise WordPressUnavailable(f"php -S exited {PORT_ATTEMPTS} times; log: {_text(self.server_log)}")

    def _install(self) -> None:
        assert self.workdir is not None
        out = self._php(
            _INSTALL,
            "install.php",
            {
                "admin": self.admin_username,
                "admin_password": self.admin_password,
                "editor": self.username,
                "editor_password": self.editor_password,
                "uploads": str(self.workdir / "uploads"),
                "base_url": self.base_url,
            },
        )
        try:
            created = json.loads(out.strip().splitlines()[-1])
            self.app_password = created["app_password"]
            self.editor_id = int(created["editor_id"])
        except (ValueError, KeyError, IndexError, TypeError):
            raise WordPressUnavailable(f"wp_install printed no Application Password: {_text(out)}") from None

    def _wait_ready(self, deadline: float) -> None:
        last = "no answer"
        with requests.Session() as http:
            http.trust_env = False  # no proxy from the environment between us and 127.0.0.1
            while time.monotonic() < deadline:
                try:
                    reply = http.get(self.api("/"), timeout=(2, 10))
                    if reply.status_code == 200 and "wp/v2" in reply.json().get("namespaces", []):
                        return
                    last = f"HTTP {reply.status_code}: {reply.text[:300]}"
                    if "/etc/wordpress/config-" in reply.text:  # Debian's wp-config.php found no config
                        break
                except (requests.RequestException, ValueError, AttributeError) as exc:
                    last = type(exc).__name__
                if self._process is not None and self._process.poll() is not None:
                    raise WordPressUnavailable(f"php -S exited; log: {_text(self.server_log)}")
                time.sleep(0.1)
        raise WordPressUnavailable(
            f"{self.api('/')} not ready within {STARTUP_TIMEOUT:.0f} s ({last}); "
            f"log: {_text(self.server_log)}"
        )

    def _arm_finalizer(self) -> None:
        """(Re)register the teardown with what exists so far; weakref.finalize also runs at exit."""
        if self._finalizer is not None:
            self._finalizer.detach()
        drop = None
        if self._db_created and self.workdir is not None:
            script = self.workdir / "drop.php"
            script.write_text(_DATABASE)
            drop = (["php", str(script)], self._php_env(WP_TEST_INPUT=json.dumps(self._db_payload("drop"))))
        self._finalizer = weakref.finalize(
            self,
            _cleanup,
            self._process,
            self.config_path if self._config_written else None,
            self.workdir,
            drop,
        )
