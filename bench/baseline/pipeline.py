#!/usr/bin/python3
"""The straightforward Python pipeline that podium-dedup is measured against.

Reads a contact export (JSON Lines of Podium contact objects), normalizes the
first phone of each contact with python3-phonenumbers (parse, is_valid_number,
format as E.164), inserts one row per contact into SQLite with one INSERT per
row (in the one implicit transaction that Python's sqlite3 opens), then groups by (location, key) to find clusters. It is deliberately the
obvious implementation, with no caching, batching or parallelism.

Usage: /usr/bin/python3 bench/baseline/pipeline.py EXPORT.jsonl REGION [DB]
Prints one JSON line: contacts, valid keys, clusters, contacts in clusters.
"""
import json
import os
import sqlite3
import sys
import tempfile

import phonenumbers


def normalize(raw, region):
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    export_path, region = sys.argv[1], sys.argv[2]
    db_path = sys.argv[3] if len(sys.argv) > 3 else os.path.join(tempfile.mkdtemp(), "baseline.sqlite")
    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE contacts (uid TEXT PRIMARY KEY, location TEXT, name TEXT, natural_key TEXT)")
    db.execute("CREATE INDEX contacts_key ON contacts (natural_key, location)")
    contacts = valid = 0
    with open(export_path, encoding="utf-8") as export:
        for line in export:
            if not line.strip():
                continue
            contact = json.loads(line)
            contacts += 1
            phones = contact.get("phoneNumbers") or []
            key = normalize(phones[0], region) if phones else None
            valid += key is not None
            locations = contact.get("locations") or [{}]
            db.execute("INSERT OR REPLACE INTO contacts VALUES (?, ?, ?, ?)",
                       (contact["uid"], locations[0].get("uid", ""), contact.get("name", ""), key))
    db.commit()
    clusters = members = 0
    query = ("SELECT COUNT(*) FROM contacts WHERE natural_key IS NOT NULL "
             "GROUP BY location, natural_key HAVING COUNT(*) > 1")
    for (count,) in db.execute(query):
        clusters += 1
        members += count
    print(json.dumps({"contacts": contacts, "valid_keys": valid, "clusters": clusters,
                      "contacts_in_clusters": members}))


if __name__ == "__main__":
    main()
