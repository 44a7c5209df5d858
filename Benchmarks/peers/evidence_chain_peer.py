#!/usr/bin/env python3
"""Peer baseline: N evidence rows appended to SQLite (Python's sqlite3, WAL, one transaction per row as a
run appends them) with a SHA-256 hash chain, then the chain verified by reading every row back.

Prints one JSON line: seconds to append, seconds to verify.
"""
import argparse
import hashlib
import json
import os
import sqlite3
import tempfile
import time


def row_hash(previous, fields):
    digest = hashlib.sha256()
    for field in [previous, *fields]:
        data = field.encode()
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    result_json = json.dumps({"scenario": "zone-loss", "rto_seconds": 12.5, "series": list(range(200))})
    with tempfile.TemporaryDirectory() as folder:
        db = sqlite3.connect(os.path.join(folder, "evidence.sqlite"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE evidence (sequence INTEGER PRIMARY KEY, subject TEXT, result_json TEXT, "
                   "previous_hash TEXT, hash TEXT)")
        started = time.perf_counter()
        for sequence in range(1, args.rows + 1):
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT hash FROM evidence ORDER BY sequence DESC LIMIT 1").fetchone()
            previous = row[0] if row else "0" * 64
            subject = f"scenario-{sequence % 20}"
            digest = row_hash(previous, [str(sequence), subject, result_json])
            db.execute("INSERT INTO evidence VALUES (?, ?, ?, ?, ?)", (sequence, subject, result_json, previous, digest))
            db.execute("COMMIT")
        appended = time.perf_counter() - started
        started = time.perf_counter()
        previous = "0" * 64
        for sequence, subject, text, linked, digest in db.execute("SELECT * FROM evidence ORDER BY sequence"):
            assert linked == previous and row_hash(previous, [str(sequence), subject, text]) == digest
            previous = digest
        verified = time.perf_counter() - started
    print(json.dumps({"rows": args.rows, "append_seconds": round(appended, 4), "verify_seconds": round(verified, 4)}))


if __name__ == "__main__":
    main()
