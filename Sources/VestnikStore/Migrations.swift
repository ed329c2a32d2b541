/// The schema's history. Times are Unix seconds (UTC) in `{bigint}` columns, so both dialects sort and compare them alike.
public enum Migrations {
    /// The migration that creates the search index; existing articles are indexed right after it.
    static let searchIndexVersion = 3

    public static let all: [Migration] = [
        Migration(
            version: 1, name: "newsroom structure and articles",
            statements: [
                """
                CREATE TABLE sections (
                    id {id}, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                    description TEXT NOT NULL DEFAULT '', position INTEGER NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE topics (
                    id {id}, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '')
                """,
                "CREATE TABLE tags (id {id}, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL)",
                """
                CREATE TABLE authors (
                    id {id}, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                    role TEXT NOT NULL DEFAULT '', bio TEXT NOT NULL DEFAULT '')
                """,
                """
                CREATE TABLE articles (
                    id {id}, slug TEXT NOT NULL UNIQUE, kicker TEXT NOT NULL DEFAULT '', title TEXT NOT NULL,
                    lead TEXT NOT NULL DEFAULT '', body_html TEXT NOT NULL DEFAULT '',
                    section_id {bigint} NOT NULL REFERENCES sections(id),
                    topic_id {bigint} REFERENCES topics(id),
                    sources TEXT NOT NULL DEFAULT '',
                    has_video INTEGER NOT NULL DEFAULT 0, has_gallery INTEGER NOT NULL DEFAULT 0,
                    status TEXT NOT NULL DEFAULT 'draft',
                    published_at {bigint} NOT NULL, created_at {bigint} NOT NULL, updated_at {bigint} NOT NULL,
                    reads {bigint} NOT NULL DEFAULT 0)
                """,
                "CREATE INDEX articles_status_published ON articles (status, published_at)",
                "CREATE INDEX articles_section_published ON articles (section_id, published_at)",
                "CREATE INDEX articles_topic_published ON articles (topic_id, published_at)",
                """
                CREATE TABLE article_tags (
                    article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                    tag_id {bigint} NOT NULL REFERENCES tags(id), position INTEGER NOT NULL,
                    PRIMARY KEY (article_id, tag_id))
                """,
                "CREATE INDEX article_tags_tag ON article_tags (tag_id)",
                """
                CREATE TABLE article_authors (
                    article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                    author_id {bigint} NOT NULL REFERENCES authors(id), position INTEGER NOT NULL,
                    PRIMARY KEY (article_id, author_id))
                """,
                "CREATE INDEX article_authors_author ON article_authors (author_id)",
                """
                CREATE TABLE article_slug_history (
                    slug TEXT PRIMARY KEY,
                    article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE)
                """,
                "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            ]),
        Migration(
            version: 2, name: "hourly read counts",
            statements: [
                // `hour` is the Unix second that starts a UTC hour; the read counter adds to a row with
                // `count = count + excluded.count`, so any number of nodes can flush into it at once.
                """
                CREATE TABLE article_reads_hourly (
                    article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                    hour {bigint} NOT NULL, count {bigint} NOT NULL DEFAULT 0,
                    PRIMARY KEY (article_id, hour))
                """,
                // "Most read" sums a window of hours over all articles.
                "CREATE INDEX article_reads_hourly_hour ON article_reads_hourly (hour, article_id, count)",
            ]),
        Migration(
            version: 3, name: "full-text search and related articles",
            statements: [
                // Per-article term frequencies of the analysed text, and document frequencies, for TF-IDF similarity.
                """
                CREATE TABLE article_terms (
                    article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                    term TEXT NOT NULL, tf INTEGER NOT NULL, PRIMARY KEY (article_id, term))
                """,
                "CREATE INDEX article_terms_term ON article_terms (term)",
                "CREATE TABLE search_terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL)",
                // The precomputed "Още:" choice of every article, best first.
                """
                CREATE TABLE article_related (
                    article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                    related_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL, score DOUBLE PRECISION NOT NULL, PRIMARY KEY (article_id, position))
                """,
                "CREATE INDEX article_related_related ON article_related (related_id)",
                "ALTER TABLE topics ADD COLUMN pinned_article_id {bigint} REFERENCES articles(id) ON DELETE SET NULL",
            ],
            sqliteOnly: [
                // Our own analysed terms (Latin-spelled stems), so the ascii tokenizer only splits on spaces.
                "CREATE VIRTUAL TABLE article_search USING fts5(title, lead, body, meta, tokenize = 'ascii')"
            ],
            postgresOnly: [
                """
                CREATE TABLE article_search (
                    article_id BIGINT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE, document TSVECTOR NOT NULL)
                """,
                "CREATE INDEX article_search_document ON article_search USING GIN (document)",
            ]),
    ]
}
