#!/usr/bin/env python3
"""bench/search/scale.py — grows a search-benchmark corpus by copying it, for the 100,000 and 1,000,000-article runs.

Analysing a generated article costs the Swift generator (`VestnikBench search`) about 20 ms of CPU and, on PostgreSQL,
a dozen round trips: 1,000,000 articles would take most of a day on this shared machine. So the generator builds a
base corpus once on SQLite (10,000 articles), and this script copies it: copy k of article i gets id i + k·N (N the
base size), a slug of its own and a publication 600·N·k seconds older, and the same analysed text, search entry and
terms. Word frequencies keep the base corpus's shape (a common word is still in about a tenth of the articles), so a
query's work per result is that of a real corpus of the same size; what it lacks is variety (each text N/COUNT
times over), which the latency does not depend on.

    python3 bench/search/scale.py sqlite BASE.sqlite OUT.sqlite 100000
    vestnik migrate --database postgres://…/db                                       # migration 22 or later
    python3 bench/search/scale.py postgres BASE.sqlite postgres://…/db 1000000

On PostgreSQL the search entry (tsvector) is built from the SQLite entry's analysed columns with the same expression
SearchIndexer uses, and each term's share of ts_rank (article_terms.rank) with migration 22's search_term_ranks, so nothing
is analysed twice.
"""
import argparse
import csv
import io
import shutil
import sqlite3
import subprocess
import sys
import time

SPACING = 600  # seconds between two generated articles (bench/VestnikBench/main.swift)

ARTICLE_COLUMNS = (
    "id, slug, kicker, title, lead, body_html, section_id, topic_id, sources, has_video, has_gallery, status, "
    "published_at, created_at, updated_at, reads"
)


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def scale_sqlite(base: str, out: str, count: int) -> None:
    shutil.copyfile(base, out)
    db = sqlite3.connect(out, isolation_level=None)
    n = db.execute("SELECT MAX(id) FROM articles").fetchone()[0]
    copies = -(-count // n)
    for k in range(1, copies):
        last = min(n, count - k * n)
        if last <= 0:
            break
        db.execute("BEGIN")
        shift, older = k * n, k * n * SPACING
        db.execute(
            f"INSERT INTO articles ({ARTICLE_COLUMNS}) SELECT id + {shift}, slug || '-{k}', kicker, title, lead, body_html, "
            f"section_id, topic_id, sources, has_video, has_gallery, status, published_at - {older}, created_at, updated_at, "
            f"reads FROM articles WHERE id <= {last}"
        )
        for table in ("article_authors (article_id, author_id, position)", "article_tags (article_id, tag_id, position)"):
            name, columns = table.split(" ", 1)
            rest = columns.strip("()").split(", ", 1)[1]
            db.execute(f"INSERT INTO {name} {columns} SELECT article_id + {shift}, {rest} FROM {name} WHERE article_id <= {last}")
        db.execute(f"INSERT INTO article_terms (article_id, term, tf) SELECT article_id + {shift}, term, tf FROM article_terms WHERE article_id <= {last}")
        db.execute(
            f"INSERT INTO article_search (rowid, title, lead, body, meta, forms) SELECT rowid + {shift}, title, lead, body, meta, "
            f"forms FROM article_search WHERE rowid <= {last}"
        )
        db.execute("COMMIT")
        log(f"sqlite: {k * n + last} articles")
    db.execute(f"UPDATE search_terms SET df = df * {copies}")
    db.execute("UPDATE search_rebuild SET done = (SELECT COUNT(*) FROM articles), total = (SELECT COUNT(*) FROM articles)")
    db.execute("PRAGMA optimize")
    db.close()


def psql(url: str, sql: str, stdin: str | None = None) -> None:
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], input=stdin, text=True, check=True)


def copy_table(src: sqlite3.Connection, url: str, table: str, columns: str, select: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in src.execute(select):
        writer.writerow(["\\N" if value is None else value for value in row])
    psql(url, f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer.getvalue())


def scale_postgres(base: str, url: str, count: int) -> None:
    src = sqlite3.connect(base)
    n = src.execute("SELECT MAX(id) FROM articles").fetchone()[0]
    psql(url, "TRUNCATE articles, sections, authors, tags, search_terms CASCADE")
    for table, columns in [
        ("sections", "id, slug, name, description, position"),
        ("authors", "id, slug, name, role, bio, photo"),
        ("tags", "id, slug, name, name_key"),
        ("articles", ARTICLE_COLUMNS),
        ("article_authors", "article_id, author_id, position"),
        ("article_tags", "article_id, tag_id, position"),
        ("search_terms", "term, df, word"),
    ]:
        copy_table(src, url, table, columns, f"SELECT {columns} FROM {table}")
        log(f"postgres: copied {table}")
    # The search entries: the same expression as SearchIndexer.index, from the analysed columns.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in src.execute("SELECT rowid, title, lead, body, meta, forms FROM article_search"):
        writer.writerow(row)
    script = f"""
        CREATE TEMPORARY TABLE staging (id BIGINT, title TEXT, lead TEXT, body TEXT, meta TEXT, forms TEXT);
        COPY staging FROM STDIN WITH (FORMAT csv);
        {buffer.getvalue()}\\.
        INSERT INTO article_search (article_id, document)
        SELECT id, setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', meta), 'B')
            || setweight(to_tsvector('simple', lead), 'B') || setweight(to_tsvector('simple', body), 'C')
            || setweight(array_to_tsvector(ARRAY(SELECT '=' || f FROM unnest(string_to_array(forms, ' ')) AS f WHERE f <> '')), 'D')
        FROM staging;
    """
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q"], input=script, text=True, check=True)
    log("postgres: base search entries")
    # The terms, with each term's share of ts_rank (migration 22's search_term_ranks, over every document).
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(src.execute("SELECT article_id, term, tf FROM article_terms"))
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q"], text=True, check=True, input=f"""
        SET work_mem = '256MB';
        CREATE TEMPORARY TABLE terms_staging (article_id BIGINT, term TEXT, tf INTEGER);
        COPY terms_staging FROM STDIN WITH (FORMAT csv);
        {buffer.getvalue()}\\.
        INSERT INTO article_terms (article_id, term, tf, rank)
        SELECT s.article_id, s.term, s.tf, COALESCE(r.rank, 0) FROM terms_staging s LEFT JOIN (
            SELECT x.article_id, r.term, r.rank FROM article_search x CROSS JOIN LATERAL search_term_ranks(x.document) AS r
        ) AS r ON r.article_id = s.article_id AND r.term = s.term;
    """)
    log("postgres: base terms and their ranks")
    rebuild = src.execute("SELECT analyser FROM search_rebuild WHERE id = 1").fetchone()[0]
    copies = -(-count // n)
    # Copies go in without the secondary indexes, which are built once at the end.
    indexes = subprocess.run(
        ["psql", url, "-At", "-c",
         "SELECT indexname || '|' || indexdef FROM pg_indexes WHERE tablename IN ('articles', 'article_search', 'article_terms') "
         "AND indexdef NOT LIKE 'CREATE UNIQUE%'"],
        capture_output=True, text=True, check=True).stdout.splitlines()
    if copies > 1:
        for line in indexes:
            psql(url, f"DROP INDEX {line.split('|', 1)[0]}")
    for k in range(1, copies):
        last = min(n, count - k * n)
        if last <= 0:
            break
        shift, older = k * n, k * n * SPACING
        psql(url, f"""
            BEGIN;
            INSERT INTO articles ({ARTICLE_COLUMNS}) SELECT id + {shift}, slug || '-{k}', kicker, title, lead, body_html,
                section_id, topic_id, sources, has_video, has_gallery, status, published_at - {older}, created_at, updated_at, reads
                FROM articles WHERE id <= {last};
            INSERT INTO article_authors SELECT article_id + {shift}, author_id, position FROM article_authors WHERE article_id <= {last};
            INSERT INTO article_tags SELECT article_id + {shift}, tag_id, position FROM article_tags WHERE article_id <= {last};
            INSERT INTO article_terms (article_id, term, tf, rank)
                SELECT article_id + {shift}, term, tf, rank FROM article_terms WHERE article_id <= {last};
            INSERT INTO article_search SELECT article_id + {shift}, document FROM article_search WHERE article_id <= {last};
            COMMIT;""")
        log(f"postgres: {k * n + last} articles")
    for line in indexes if copies > 1 else []:
        psql(url, line.split("|", 1)[1])
        log(f"postgres: {line}")
    psql(url, f"UPDATE search_terms SET df = df * {copies}")
    psql(url, f"UPDATE search_rebuild SET analyser = '{rebuild}', below = 0, done = (SELECT COUNT(*) FROM articles), "
              "total = (SELECT COUNT(*) FROM articles), finished_at = started_at WHERE id = 1")
    for table in ("articles", "sections", "authors", "tags"):
        psql(url, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    psql(url, "VACUUM ANALYZE")
    log("postgres: done")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["sqlite", "postgres"])
    parser.add_argument("base", help="the base corpus, SQLite, from `VestnikBench search --database BASE --articles N`")
    parser.add_argument("out", help="the SQLite file to write, or the PostgreSQL URL of a migrated database")
    parser.add_argument("count", type=int)
    args = parser.parse_args()
    (scale_sqlite if args.kind == "sqlite" else scale_postgres)(args.base, args.out, args.count)


if __name__ == "__main__":
    sys.exit(main())
