"""A spreadsheet of people kept for its preview, as an upload leaves it (publisher.imports.staging)."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from publisher.core.clock import SESSION_KEY
from publisher.imports import staging
from tests.factories.office import Office
from tests.factories.spreadsheets import csv_bytes

PEOPLE_FILE = csv_bytes([
    ["Korisničko ime", "Ime i prezime", "E-pošta", "Uloge", "Jezik", "Napomena"],
    ["nina.nikolic", "Nina Nikolić", "nina.nikolic@ministarstvo.gov.rs", "službenik, odobravalac", "sr-Cyrl", ""],
    ["dren", "Dren Krasniqi", "dren.krasniqi@ministria.rks-gov.net", "zyrtar", "sq", "nova"],
    ["Loše Ime", "Petar", "nije-adresa", "kuvar", "", ""],
    ["nina.nikolic", "Друга Нина", "", "officer", "en", ""],
], sep=";", bom=True)
PEOPLE_PREVIEW = f"/admin/users/import/{hashlib.sha256(PEOPLE_FILE).hexdigest()}"


def people_file_kept(session: Session, office: Office) -> None:
    runtime = session.info[SESSION_KEY].__self__  # the runtime whose clock the session carries: its folders
    staging.keep(staging.folder(runtime.settings.instance_dir), PEOPLE_FILE, kind="people")
