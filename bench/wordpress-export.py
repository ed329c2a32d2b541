#!/usr/bin/env python3
"""Writes a WordPress export (WXR 1.2, the shape export_wp() writes) of N posts to standard output, streaming.

    python3 bench/wordpress-export.py 100000 > /tmp/export.xml

The words are this project's own; each post has 8 classic-editor paragraphs (blank-line separated, as WordPress
stores them), one of 40 categories, 3 of 400 tags, one of 25 authors, a [caption] and a [gallery] shortcode now
and then, comments, and a Cyrillic slug percent-encoded as WordPress writes it. 1 in 20 posts is a draft, 1 in 50
private (skipped by the importer). Deterministic for a given N."""
import random
import sys
from urllib.parse import quote

WORDS = ("общината съвет бюджет улица училище болница транспорт град жители решение проект пари години "
         "министър парламент закон избори партия правителство сесия гласуване кмет район площад парк "
         "ремонт мост линия автобус трамвай метро заплати цени пазар банка инфлация данъци").split()
SITE = "https://stariat-vestnik.bg"


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def sentence(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = random.Random(20261206)
    out = sys.stdout
    out.write('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
              'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
              'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
              'xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
              'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<title>Старият вестник</title>\n'
              f'<link>{SITE}</link>\n<wp:wxr_version>1.2</wp:wxr_version>\n'
              f'<wp:base_site_url>{SITE}</wp:base_site_url>\n<wp:base_blog_url>{SITE}</wp:base_blog_url>\n')
    for a in range(25):
        out.write(f'<wp:author><wp:author_login>{cdata("avtor%d" % a)}</wp:author_login>'
                  f'<wp:author_display_name>{cdata("Автор Номер %d" % a)}</wp:author_display_name></wp:author>\n')
    for i in range(1, n + 1):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 9))).capitalize() + f" {i}"
        slug = quote("-".join(title.lower().split())[:180], safe="-").lower()
        status = "draft" if i % 20 == 0 else "private" if i % 50 == 1 else "publish"
        day = 1 + i % 28
        month = 1 + (i // 28) % 12
        year = 2010 + (i // 336) % 16
        paragraphs = [" ".join(sentence(rng) for _ in range(3)) for _ in range(8)]
        if i % 7 == 0:
            paragraphs.insert(2, f'[caption id="attachment_{i}" width="800"]<img src="{SITE}/wp-content/uploads/x{i}.jpg" '
                                 f'alt="" width="800" height="533" /> Снимка {i}[/caption]')
        if i % 11 == 0:
            paragraphs.append('[gallery ids="1,2,3"]')
        category = rng.randrange(40)
        tags = rng.sample(range(400), 3)
        terms = [f'<category domain="category" nicename="rubrika-{category}">{cdata("Рубрика %d" % category)}</category>']
        terms += [f'<category domain="post_tag" nicename="etiket-{t}">{cdata("Етикет %d" % t)}</category>' for t in tags]
        comments = "".join(f'<wp:comment><wp:comment_id>{c}</wp:comment_id><wp:comment_content>{cdata("Коментар")}'
                           '</wp:comment_content></wp:comment>' for c in range(i % 3))
        date = f"{year}-{month:02d}-{day:02d} 10:{i % 60:02d}:00"
        out.write(
            f"<item>\n<title>{cdata(title)}</title>\n<link>{SITE}/{year}/{month:02d}/{slug}/</link>\n"
            f"<dc:creator>{cdata('avtor%d' % (i % 25))}</dc:creator>\n"
            f"<content:encoded>{cdata(chr(10).join(p + chr(10) for p in paragraphs))}</content:encoded>\n"
            f"<excerpt:encoded>{cdata('')}</excerpt:encoded>\n<wp:post_id>{i}</wp:post_id>\n"
            f"<wp:post_date>{cdata(date)}</wp:post_date>\n<wp:post_date_gmt>{cdata(date)}</wp:post_date_gmt>\n"
            f"<wp:post_name>{cdata(slug)}</wp:post_name>\n<wp:status>{cdata(status)}</wp:status>\n"
            f"<wp:post_type>{cdata('post')}</wp:post_type>\n<wp:is_sticky>0</wp:is_sticky>\n"
            + "\n".join(terms) + "\n" + comments + "\n</item>\n")
    out.write("</channel>\n</rss>\n")


if __name__ == "__main__":
    main()
