#!/usr/bin/env python3
"""bench/generate.py — fills a migrated Vestnik SQLite database with a generated news site, fast.

    vestnik migrate --database big.sqlite
    python3 bench/generate.py big.sqlite 1000000          # about a minute per 250,000 articles on 2 busy cores

8 sections, 50 topics, 5,000 tags and 200 authors; COUNT published articles, one every 30 seconds back from now (so
the newest ~2,880 are "today" in Sofia), each with a kicker, a lead, a body of 8 paragraphs and a heading (about
2.4 KB of Bulgarian text, numbered so no two bodies are equal), 3 tags, 1 author, a topic on every tenth, five "Още:"
articles (the five published just before it, in article_related, as the related-article index would store them),
and reads in the hourly buckets for the newest 500 (so "Най-четени" has something to show).

The rows go in with INSERT … SELECT over a recursive CTE, in one transaction per 10,000 articles, so the time and the
memory stay bounded whatever COUNT is. The search index (article_search, article_terms) is not filled: the article
page does not use it, and analysing 1,000,000 bodies would take most of an hour here.
"""
import argparse
import sqlite3
import sys
import time

SPACING = 30  # seconds between two articles
BATCH = 10_000

SENTENCES = [
    "Столичният общински съвет прие на второ четене бюджета на града за следващата година след дълги дебати.",
    "Общият размер на разходите достига 3,1 милиарда лева, с близо дванадесет процента повече от миналата година.",
    "Най-голям дял от капиталовата програма е предвиден за разширението на метрото и за трамвайните релси.",
    "Кметът заяви пред журналисти, че приоритет ще бъдат проектите, които могат да започнат още през пролетта.",
    "Опозицията критикува липсата на ясен график за ремонта на училищата и детските градини в старите квартали.",
    "Според финансовия директор приходите от местни данъци и такси ще нараснат с около седем процента.",
    "Част от средствата ще дойдат от европейски програми, по които градът вече има одобрени проекти.",
    "Жителите на кварталите в покрайнините настояват за повече автобусни линии и по-добро осветление.",
]


def body_sql() -> str:
    """The body of article i as a SQL expression: eight paragraphs and a heading, one block per line."""
    paragraphs = []
    for k in range(8):
        text = " ".join(SENTENCES[(k + j) % len(SENTENCES)] for j in range(3))
        paragraphs.append(f"'<p>{text} (' || i || '.{k + 1})</p>'")
        if k == 3:
            paragraphs.append("'<h2>Какво следва след гласуването ' || i || '</h2>'")
    return " || char(10) || ".join(paragraphs)


def series(first: int, last: int) -> str:
    return f"WITH RECURSIVE n(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM n WHERE i < {last})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", help="a SQLite file that `vestnik migrate` has created")
    parser.add_argument("count", type=int, help="articles to generate")
    parser.add_argument("--now", type=int, default=int(time.time()), help="Unix time of the newest article")
    args = parser.parse_args()

    db = sqlite3.connect(args.database, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -200000")
    if db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]:
        sys.exit(f"{args.database} already has articles; generate into a freshly migrated database")
    started = time.time()
    db.execute("BEGIN")
    db.execute(f"""INSERT INTO sections (slug, name, description, position)
        {series(1, 8)} SELECT 'rubrika-' || i, 'Рубрика ' || i, 'Новини от рубрика ' || i, i FROM n""")
    db.execute(f"""INSERT INTO topics (slug, name, description)
        {series(1, 50)} SELECT 'tema-' || i, 'Тема ' || i, 'Какво се случва по тема ' || i FROM n""")
    db.execute(f"INSERT INTO tags (slug, name) {series(1, 5000)} SELECT 'etiket-' || i, 'етикет ' || i FROM n")
    db.execute(f"""INSERT INTO authors (slug, name, role, bio)
        {series(1, 200)} SELECT 'avtor-' || i, 'Автор ' || i, 'Репортер', 'Пише за града.' FROM n""")
    db.execute("COMMIT")
    body = body_sql()
    now = args.now
    for first in range(1, args.count + 1, BATCH):
        last = min(args.count, first + BATCH - 1)
        db.execute("BEGIN")
        # Article i is published i * SPACING seconds before now; ids follow i.
        db.execute(f"""INSERT INTO articles (id, slug, kicker, title, lead, body_html, section_id, topic_id, sources,
                has_video, has_gallery, status, published_at, created_at, updated_at, reads)
            {series(first, last)}
            SELECT i, 'statia-' || i, 'София', 'Общинският съвет обсъжда бюджета, статия номер ' || i,
                'Резюме на статия ' || i || ': какво реши общинският съвет и какво следва.', {body},
                1 + i % 8, CASE WHEN i % 10 = 0 THEN 1 + i % 50 END, 'БТА', i % 7 = 0, i % 11 = 0, 'published',
                {now} - i * {SPACING}, {now} - i * {SPACING}, {now} - i * {SPACING}, i % 9000
            FROM n""")
        for position in range(3):
            db.execute(f"""INSERT INTO article_tags (article_id, tag_id, position)
                {series(first, last)} SELECT i, 1 + (i * 7 + {position} * 1667) % 5000, {position + 1} FROM n""")
        db.execute(f"""INSERT INTO article_authors (article_id, author_id, position)
            {series(first, last)} SELECT i, 1 + i % 200, 1 FROM n""")
        # "Още:": the five articles published just before (higher ids are older), where they exist.
        db.execute(f"""INSERT INTO article_related (article_id, related_id, position, score)
            {series(first, last)}, p(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM p WHERE k < 5)
            SELECT i, i + k, k, 1.0 / k FROM n, p WHERE i + k <= {args.count}""")
        db.execute("COMMIT")
        if last % 100_000 == 0 or last == args.count:
            print(f"  {last:,} articles, {time.time() - started:.0f} s", file=sys.stderr)
    hour = now - now % 3600
    db.execute("BEGIN")
    db.execute(f"""INSERT INTO article_reads_hourly (article_id, hour, count)
        {series(1, min(500, args.count))} SELECT i, {hour}, 1000 - i FROM n""")
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    print(f"generated {args.count:,} articles in {time.time() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
