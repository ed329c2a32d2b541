/// The schema's history. Times are Unix seconds (UTC) in `{bigint}` columns, so both dialects sort and compare them alike.
public enum Migrations {
    /// The migration that creates the search index; existing articles are indexed right after it.
    static let searchIndexVersion = 3
    /// The migration that adds `tags.name_key`; existing tags get their key right after it (Swift lowercases Cyrillic,
    /// SQLite's LOWER() does not).
    static let tagKeysVersion = 6
    /// The migration that moves search to the dictionary's lemmas; `SearchRebuild` refills the index in the background.
    static let lemmaSearchVersion = 10

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
        Migration(
            version: 4, name: "newsroom accounts, sessions and revisions",
            statements: [
                """
                CREATE TABLE users (
                    id {id}, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL,
                    password_hash TEXT NOT NULL, created_at {bigint} NOT NULL)
                """,
                // Only a SHA-256 digest of each session token is stored: a leaked copy of the table logs no one in.
                """
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY, user_id {bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    csrf TEXT NOT NULL, created_at {bigint} NOT NULL, expires_at {bigint} NOT NULL)
                """,
                "CREATE INDEX sessions_user ON sessions (user_id)",
                "CREATE TABLE login_failures (id {id}, key TEXT NOT NULL, at {bigint} NOT NULL)",
                "CREATE INDEX login_failures_key ON login_failures (key, at)",
                """
                CREATE TABLE password_resets (
                    token_hash TEXT PRIMARY KEY, user_id {bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    expires_at {bigint} NOT NULL, used_at {bigint})
                """,
                """
                CREATE TABLE article_revisions (
                    id {id}, article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                    number INTEGER NOT NULL, user_id {bigint} REFERENCES users(id) ON DELETE SET NULL,
                    created_at {bigint} NOT NULL, snapshot TEXT NOT NULL, UNIQUE (article_id, number))
                """,
                // What a user typed and has not saved yet, per article (0: a new one); saving clears it.
                """
                CREATE TABLE article_autosaves (
                    user_id {bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE, article_key {bigint} NOT NULL,
                    saved_at {bigint} NOT NULL, fields TEXT NOT NULL, PRIMARY KEY (user_id, article_key))
                """,
                // Who published, unpublished or otherwise moved which article, and when.
                """
                CREATE TABLE audit_log (
                    id {id}, at {bigint} NOT NULL, user_id {bigint} REFERENCES users(id) ON DELETE SET NULL,
                    action TEXT NOT NULL, article_id {bigint}, title TEXT NOT NULL DEFAULT '')
                """,
                "CREATE INDEX audit_log_at ON audit_log (at)",
                // Who has an article open in the editor (refreshed while the page is open), for "X is editing".
                """
                CREATE TABLE article_presence (
                    article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                    user_id {bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE, seen_at {bigint} NOT NULL,
                    PRIMARY KEY (article_id, user_id))
                """,
                "ALTER TABLE articles ADD COLUMN created_by {bigint} REFERENCES users(id) ON DELETE SET NULL",
                // The newsroom list walks articles by last change, a page at a time (keyset pagination).
                "CREATE INDEX articles_updated ON articles (updated_at, id)",
                "CREATE INDEX articles_status_updated ON articles (status, updated_at, id)",
                "CREATE INDEX articles_section_updated ON articles (section_id, updated_at, id)",
            ]),
        Migration(
            version: 5, name: "media library and featured images",
            statements: [
                // One row per distinct picture: the SHA-256 of its bytes is its key and its file's name, so the same
                // bytes uploaded twice are stored once. `alt` is required by the form, never empty.
                """
                CREATE TABLE media (
                    hash TEXT PRIMARY KEY, type TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
                    bytes {bigint} NOT NULL, alt TEXT NOT NULL, caption TEXT NOT NULL DEFAULT '',
                    credit TEXT NOT NULL DEFAULT '', original_name TEXT NOT NULL DEFAULT '',
                    uploaded_by {bigint} REFERENCES users(id) ON DELETE SET NULL, uploaded_at {bigint} NOT NULL,
                    search_text TEXT NOT NULL DEFAULT '')
                """,
                // The library lists newest first, a page at a time.
                "CREATE INDEX media_uploaded ON media (uploaded_at, hash)",
                // Empty caption or credit: the library's own (see `FeaturedImage`).
                "ALTER TABLE articles ADD COLUMN featured_media TEXT REFERENCES media(hash)",
                "ALTER TABLE articles ADD COLUMN featured_caption TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE articles ADD COLUMN featured_credit TEXT NOT NULL DEFAULT ''",
            ]),
        Migration(
            version: 6, name: "structure management: author photos, tag keys, old slugs",
            statements: [
                "ALTER TABLE authors ADD COLUMN photo TEXT NOT NULL DEFAULT ''",
                // The tag's name lowercased by Swift (Unicode), for case-insensitive prefix lookups in the editor.
                "ALTER TABLE tags ADD COLUMN name_key TEXT NOT NULL DEFAULT ''",
                // An article names its topic and authors; they are found by name first (a rename may keep the slug).
                "CREATE INDEX topics_name ON topics (name)",
                "CREATE INDEX authors_name ON authors (name)",
                // A slug a section, topic, tag or author had before it was renamed or merged: its page answers 301.
                """
                CREATE TABLE taxonomy_slug_history (
                    kind TEXT NOT NULL, slug TEXT NOT NULL, target_id {bigint} NOT NULL, PRIMARY KEY (kind, slug))
                """,
            ],
            // Prefix lookups compare code points (UTF-8 bytes), whatever the PostgreSQL database's collation is.
            sqliteOnly: ["CREATE INDEX tags_name_key ON tags (name_key)"],
            postgresOnly: [#"CREATE INDEX tags_name_key ON tags (name_key COLLATE "C")"#]),
        Migration(
            version: 7, name: "imports from other systems: where each article came from, and its old addresses",
            statements: [
                // An item of an export (a WordPress site's post id) and the article it became: a re-run updates it.
                """
                CREATE TABLE import_items (
                    source TEXT NOT NULL, item_id {bigint} NOT NULL,
                    article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE, PRIMARY KEY (source, item_id))
                """,
                // An address of the old site (path, and `?p=123`-style query, percent-decoded) that answers 301: to an
                // article's current address, or to a fixed path (a category, tag or author archive, a feed).
                """
                CREATE TABLE legacy_redirects (
                    path TEXT PRIMARY KEY, article_id {bigint} REFERENCES articles(id) ON DELETE CASCADE, target TEXT)
                """,
            ]),
        Migration(
            version: 8, name: "pictures without location data",
            statements: [
                // What the upload scrubber took out of the file (`MetadataKind`s, space-separated), for the
                // newsroom's notice; empty for a clean file and for pictures stored before the scrubber.
                "ALTER TABLE media ADD COLUMN removed_metadata TEXT NOT NULL DEFAULT ''",
                // `vestnik media scrub` gives a file new bytes and so a new address: the old one answers 301.
                """
                CREATE TABLE media_moves (
                    old_hash TEXT PRIMARY KEY, type TEXT NOT NULL, new_hash TEXT NOT NULL, moved_at {bigint} NOT NULL)
                """,
            ]),
        Migration(
            version: 9, name: "staff: suspended accounts and known sign-in devices",
            statements: [
                // Set while an account is suspended: it cannot sign in and its sessions are refused (see
                // `AccountRepository.session`); its articles and bylines stay.
                "ALTER TABLE users ADD COLUMN suspended_at {bigint}",
                // Browsers that signed in to an account before (a cookie's SHA-256 digest): the per-account login
                // slowdown, which strangers can trigger, never applies to them (`LoginThrottle`).
                """
                CREATE TABLE login_devices (
                    token_hash TEXT NOT NULL, user_id {bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    last_seen {bigint} NOT NULL, PRIMARY KEY (token_hash, user_id))
                """,
                "CREATE INDEX login_devices_user ON login_devices (user_id, last_seen)",
                "CREATE INDEX password_resets_user ON password_resets (user_id)",
            ]),
        Migration(
            version: 10, name: "search by the dictionary's lemmas, rebuilt in the background",
            statements: [
                // One row: the rebuild of the search index (`SearchRebuild`). `finished_at` NULL means one is due or
                // under way; `below` is the article id it has reached (it goes newest first), `analyser` what it uses.
                """
                CREATE TABLE search_rebuild (
                    id INTEGER PRIMARY KEY, analyser TEXT NOT NULL DEFAULT '', below {bigint}, done {bigint} NOT NULL DEFAULT 0,
                    total {bigint} NOT NULL DEFAULT 0, started_at {bigint}, finished_at {bigint})
                """,
                "INSERT INTO search_rebuild (id) VALUES (1)",
                // The terms change (lemmas instead of light stems): the old ones would match nothing a query asks.
                "DELETE FROM article_terms",
                "DELETE FROM search_terms",
                // The word "did you mean" shows for a term.
                "ALTER TABLE search_terms ADD COLUMN word TEXT NOT NULL DEFAULT ''",
            ],
            sqliteOnly: [
                // A fifth column holds each article's exact forms, for ranking.
                "DROP TABLE article_search",
                "CREATE VIRTUAL TABLE article_search USING fts5(title, lead, body, meta, forms, tokenize = 'ascii')",
            ],
            postgresOnly: ["DELETE FROM article_search"]),
        Migration(
            version: 11, name: "admin API tokens",
            statements: [
                // A token is shown once and stored as its SHA-256 digest; it acts as its user, within its scopes
                // (space-separated `APIScope`s), until revoked. A suspended user's tokens are refused; a deleted
                // user's go with the account.
                """
                CREATE TABLE api_tokens (
                    id {id}, user_id {bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE, name TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE, hint TEXT NOT NULL, scopes TEXT NOT NULL,
                    created_at {bigint} NOT NULL, created_by {bigint}, last_used_at {bigint}, revoked_at {bigint})
                """,
                "CREATE INDEX api_tokens_user ON api_tokens (user_id)",
            ]),
        Migration(
            version: 12, name: "picture renditions: smaller sizes, WebP and AVIF, crops around a focal point",
            statements: [
                // The point the crops keep in view, in ten-thousandths of the width and height (5000: the centre).
                "ALTER TABLE media ADD COLUMN focus_x INTEGER NOT NULL DEFAULT 5000",
                "ALTER TABLE media ADD COLUMN focus_y INTEGER NOT NULL DEFAULT 5000",
                // One file made from a picture (`RenditionSpec`): `crop` is '' for the whole picture, else a
                // `CropRatio`; the file is named by its own SHA-256 in the media folder, like the originals.
                """
                CREATE TABLE media_renditions (
                    media_hash TEXT NOT NULL REFERENCES media(hash) ON DELETE CASCADE, crop TEXT NOT NULL,
                    format TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL, file_hash TEXT NOT NULL,
                    bytes {bigint} NOT NULL, PRIMARY KEY (media_hash, crop, format, width))
                """,
                "CREATE INDEX media_renditions_file ON media_renditions (file_hash)",
                // The work of making a picture's renditions, durable so a restart resumes it: `pending`, `working`
                // (claimed by one node until `lease_until`; a node that died lets the lease run out), `done`, `failed`.
                """
                CREATE TABLE media_jobs (
                    media_hash TEXT PRIMARY KEY REFERENCES media(hash) ON DELETE CASCADE, state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0, claimed_by TEXT, lease_until {bigint}, error TEXT NOT NULL DEFAULT '',
                    queued_at {bigint} NOT NULL, finished_at {bigint})
                """,
                "CREATE INDEX media_jobs_state ON media_jobs (state, queued_at)",
            ]),
        Migration(
            version: 13, name: "the mail outbox and invitations",
            statements: [
                // Every e-mail is stored before it is sent (`MailOutbox`): status queued, sent or failed (given up).
                """
                CREATE TABLE mail_outbox (
                    id {id}, recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, created_at {bigint} NOT NULL,
                    next_attempt_at {bigint} NOT NULL, attempts INTEGER NOT NULL, status TEXT NOT NULL, last_error TEXT,
                    sent_at {bigint})
                """,
                "CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at)",
                // A chief's invitation by e-mail: the link (only its SHA-256 digest kept) sets a password once, within
                // a week, unless revoked (`StaffService.invite`, `AccountRepository.acceptInvitation`).
                """
                CREATE TABLE invitations (
                    id {id}, token_hash TEXT NOT NULL UNIQUE, email TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL,
                    invited_by {bigint} REFERENCES users(id) ON DELETE SET NULL, created_at {bigint} NOT NULL,
                    expires_at {bigint} NOT NULL, accepted_at {bigint}, revoked_at {bigint})
                """,
            ]),
        Migration(
            version: 14, name: "two-factor sign-in (TOTP) and its recovery codes",
            statements: [
                // The TOTP secret of an enrolled user and the one shown while they enrol, each sealed
                // (`TOTPSecretBox`: AES-GCM under VESTNIK_SECRET_KEY, which the database never holds); `totp_last_step`
                // is the time step of the code last accepted, so a code works once.
                "ALTER TABLE users ADD COLUMN totp_secret TEXT",
                "ALTER TABLE users ADD COLUMN totp_pending TEXT",
                "ALTER TABLE users ADD COLUMN totp_enabled_at {bigint}",
                "ALTER TABLE users ADD COLUMN totp_last_step {bigint}",
                // One-time recovery codes, shown once; only their SHA-256 digests are kept.
                """
                CREATE TABLE totp_recovery_codes (
                    user_id {bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE, code_hash TEXT NOT NULL,
                    used_at {bigint}, PRIMARY KEY (user_id, code_hash))
                """,
                // A sign-in between the password and the code: no session exists until the code is right.
                """
                CREATE TABLE login_challenges (
                    token_hash TEXT PRIMARY KEY, user_id {bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    next TEXT NOT NULL, expires_at {bigint} NOT NULL)
                """,
            ]),
        Migration(
            version: 15, name: "webhooks and their deliveries",
            statements: [
                // A chief's webhook: the URL, the events it hears (space-separated `WebhookEvent`s) and the secret its
                // deliveries are signed with (kept to sign; shown once).
                """
                CREATE TABLE webhooks (
                    id {id}, url TEXT NOT NULL, events TEXT NOT NULL, secret TEXT NOT NULL, created_at {bigint} NOT NULL,
                    created_by {bigint} REFERENCES users(id) ON DELETE SET NULL)
                """,
                // One event for one webhook, stored in the transaction of the write that caused it and sent after
                // (`Outbox`: queued, sent or failed), with the receiver's last answer.
                """
                CREATE TABLE webhook_deliveries (
                    id {id}, webhook_id {bigint} NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE, event TEXT NOT NULL,
                    payload TEXT NOT NULL, created_at {bigint} NOT NULL, next_attempt_at {bigint} NOT NULL,
                    attempts INTEGER NOT NULL, status TEXT NOT NULL, last_error TEXT, last_status INTEGER, last_response TEXT,
                    sent_at {bigint})
                """,
                "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)",
                "CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, created_at)",
            ]),
        Migration(
            version: 16, name: "front-page layouts: pinned stories and zone rules",
            statements: [
                // An arrangement of a front page (`FrontLayoutService`): `scope` 0 is the home page, else a section's
                // id; `state` is draft, scheduled (for `publish_at`), live (at most one a scope) or retired.
                """
                CREATE TABLE front_layouts (
                    id {id}, scope {bigint} NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL, publish_at {bigint},
                    updated_at {bigint} NOT NULL, updated_by {bigint} REFERENCES users(id) ON DELETE SET NULL)
                """,
                "CREATE INDEX front_layouts_scope ON front_layouts (scope, state)",
                "CREATE INDEX front_layouts_due ON front_layouts (state, publish_at)",
                // The stories an editor pinned, by zone (a name the theme declares) and slot.
                """
                CREATE TABLE front_pins (
                    layout_id {bigint} NOT NULL REFERENCES front_layouts(id) ON DELETE CASCADE, zone TEXT NOT NULL,
                    position INTEGER NOT NULL, article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                    PRIMARY KEY (layout_id, zone, position))
                """,
                // A zone's rule where the layout changes the theme's: kind, its section or topic, the oldest age.
                """
                CREATE TABLE front_rules (
                    layout_id {bigint} NOT NULL REFERENCES front_layouts(id) ON DELETE CASCADE, zone TEXT NOT NULL,
                    kind TEXT NOT NULL, subject_id {bigint}, max_age_hours INTEGER, PRIMARY KEY (layout_id, zone))
                """,
            ]),
        Migration(
            version: 17, name: "corrections and clarifications, the breaking-news banner, live coverage",
            statements: [
                // Dated notes an editor adds to a published article (`ArticleWriteService.addCorrection`): shown on
                // the article, listed on /popravki and its feeds. `kind` is `correction` or `clarification`.
                """
                CREATE TABLE article_corrections (
                    id {id}, article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE, kind TEXT NOT NULL,
                    text TEXT NOT NULL, created_at {bigint} NOT NULL, created_by {bigint} REFERENCES users(id) ON DELETE SET NULL)
                """,
                "CREATE INDEX article_corrections_article ON article_corrections (article_id, created_at)",
                "CREATE INDEX article_corrections_created ON article_corrections (created_at)",
                // The breaking-news banner on every public page (`BreakingNewsRepository`): one row while it is up.
                """
                CREATE TABLE breaking_news (
                    id INTEGER PRIMARY KEY, text TEXT NOT NULL, url TEXT NOT NULL, until_at {bigint} NOT NULL,
                    set_at {bigint} NOT NULL, set_by {bigint} REFERENCES users(id) ON DELETE SET NULL)
                """,
                // An article run as a live blog (`ArticleWriteService.startLive` / `endLive`), and its entries: one row
                // each, so editors and authors post at once without overwriting each other (`addLiveEntry`).
                """
                CREATE TABLE live_coverage (
                    article_id {bigint} PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE, started_at {bigint} NOT NULL,
                    ended_at {bigint})
                """,
                """
                CREATE TABLE live_entries (
                    id {id}, article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                    user_id {bigint} REFERENCES users(id) ON DELETE SET NULL, author_name TEXT NOT NULL, text TEXT NOT NULL,
                    media_hash TEXT REFERENCES media(hash) ON DELETE SET NULL, is_key INTEGER NOT NULL DEFAULT 0,
                    created_at {bigint} NOT NULL)
                """,
                "CREATE INDEX live_entries_article ON live_entries (article_id, id)",
            ]),
        Migration(
            version: 18, name: "hand-picked \"Още:\" links",
            statements: [
                // The article's "Още:" blocks as its journalist arranged them (`MoreLinks.json`): where each stands,
                // the hand-picked or pinned articles, the removed automatic ones. '' is the site's automatic layout.
                "ALTER TABLE articles ADD COLUMN more_links TEXT NOT NULL DEFAULT ''"
            ]),
        Migration(
            version: 19, name: "a picture's focal point found by libvips until an editor sets one",
            statements: [
                // 1 once an editor set the point on the picture's page; 0: libvips' attention finder places it (the
                // renditions job stores what it found). Points moved from the centre before were set by hand.
                "ALTER TABLE media ADD COLUMN focus_set INTEGER NOT NULL DEFAULT 0",
                "UPDATE media SET focus_set = 1 WHERE focus_x <> 5000 OR focus_y <> 5000",
            ]),
        Migration(
            version: 20, name: "the facades of embedded posts: title, author and a local thumbnail",
            statements: [
                // What the provider said of an embedded post (`EmbedPreviewRepository`), looked up in the background
                // (`EmbedPreviewWorker`): `state` is `waiting` until a look-up succeeds (`done`) or gives up
                // (`failed`); `thumbnail` is the path of its picture in the media folder, '' for none.
                """
                CREATE TABLE embed_previews (
                    provider TEXT NOT NULL, embed_id TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'waiting',
                    title TEXT NOT NULL DEFAULT '', author TEXT NOT NULL DEFAULT '', thumbnail TEXT NOT NULL DEFAULT '',
                    width INTEGER NOT NULL DEFAULT 0, height INTEGER NOT NULL DEFAULT 0, tries INTEGER NOT NULL DEFAULT 0,
                    next_try_at {bigint} NOT NULL, problem TEXT NOT NULL DEFAULT '', PRIMARY KEY (provider, embed_id))
                """,
                "CREATE INDEX embed_previews_due ON embed_previews (state, next_try_at)",
                "CREATE INDEX embed_previews_thumbnail ON embed_previews (thumbnail)",
                // The articles whose pages showed a post before its look-up ended: their pages are dropped from the
                // caches when it ends.
                """
                CREATE TABLE embed_uses (
                    provider TEXT NOT NULL, embed_id TEXT NOT NULL,
                    article_id {bigint} NOT NULL REFERENCES articles(id) ON DELETE CASCADE, PRIMARY KEY (provider, embed_id, article_id))
                """,
            ]),
        Migration(
            version: 21, name: "copies of outside pictures in article bodies",
            statements: [
                // One row per https address an article body shows, queued when `media.copy_external` is on
                // (`BodyPictureCopies`): a worker downloads it into the library; pages then show the copy.
                """
                CREATE TABLE body_picture_copies (
                    url TEXT PRIMARY KEY, state TEXT NOT NULL, alt TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0,
                    lease_until {bigint}, error TEXT NOT NULL DEFAULT '', media_hash TEXT, media_type TEXT,
                    queued_at {bigint} NOT NULL)
                """,
                "CREATE INDEX body_picture_copies_waiting ON body_picture_copies (state, queued_at)",
            ]),
        Migration(
            version: 22, name: "PostgreSQL search ranks a word's newest matches from its postings",
            statements: [],
            postgresOnly: [
                // Each term's share of its article's ts_rank (`SearchIndexer.termRanks`), and an index that walks a
                // term's articles newest first and answers with that share, without reading the documents.
                "ALTER TABLE article_terms ADD COLUMN rank REAL NOT NULL DEFAULT 0",
                // Every term of a document with what `ts_rank('{0.1, 0.25, 0.4, 1.0}', document, 'term', 1)` gives
                // it, from its positions in one pass: (w_max + Σ w_j / j² − w_max / j_max²) / (π²/6), over log₂ of the
                // document's length plus one (`calc_rank_or` and normalisation 1 in PostgreSQL's tsrank.c). A query
                // word's rank is the sum of its terms' shares (and the exact form's, a constant).
                """
                CREATE FUNCTION search_term_ranks(document TSVECTOR) RETURNS TABLE (term TEXT, rank REAL)
                LANGUAGE sql IMMUTABLE AS $$
                    SELECT u.lexeme, CAST((m.wjm + m.resj - m.wjm / (m.jm * m.jm)) / 1.64493406685 / (ln(l.n + 1) / ln(2)) AS REAL)
                    FROM (SELECT SUM(GREATEST(1, cardinality(positions))) AS n FROM unnest(document)) AS l
                    CROSS JOIN LATERAL unnest(document) AS u
                    CROSS JOIN LATERAL (
                        SELECT SUM(c.v / (p.i * p.i)) AS resj, MAX(c.v) AS wjm, (array_agg(p.i ORDER BY c.v DESC, p.i))[1] AS jm
                        FROM unnest(u.weights) WITH ORDINALITY AS p (w, i)
                        CROSS JOIN LATERAL (SELECT CASE p.w WHEN 'A' THEN 1.0 WHEN 'B' THEN 0.4 WHEN 'C' THEN 0.25 ELSE 0.1 END AS v) AS c
                    ) AS m
                    WHERE cardinality(u.positions) > 0
                $$
                """,
                "CREATE INDEX article_terms_term_rank ON article_terms (term, article_id) INCLUDE (rank)",
                "DROP INDEX article_terms_term",
                // The shares are filled by a rebuild in the background (`SearchRebuild`, newest first); until it
                // reaches an article, that article is ranked by recency before its exact rank.
                "UPDATE search_rebuild SET below = NULL, done = 0, total = 0, started_at = NULL, finished_at = NULL WHERE id = 1",
            ]),
        Migration(
            version: 23, name: "search and social words of an article, and the time its page says it was updated",
            statements: [
                // What search results and share cards show instead of the headline and lead ('' falls back to them),
                // and the library picture a share card shows instead of the featured one (NULL: the featured).
                "ALTER TABLE articles ADD COLUMN seo_title TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE articles ADD COLUMN seo_description TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE articles ADD COLUMN social_title TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE articles ADD COLUMN social_description TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE articles ADD COLUMN social_media TEXT REFERENCES media(hash)",
                // When an editor last marked a published article as updated ("Обновена", dateModified); NULL: never.
                // `updated_at` stays the time of the last save of any kind (sitemaps, feeds, the API's `modified`).
                "ALTER TABLE articles ADD COLUMN modified_at {bigint}",
            ]),
        Migration(
            version: 26, name: "PostgreSQL finds a phrase by its neighbouring terms",
            statements: [],
            postgresOnly: [
                // Every two terms that stand next to each other in a document, as lexemes `first second` (no
                // positions): `'a b'` is the phrase "a b" (`SearchRepository.pairsTsquery`), so GIN answers a phrase
                // without reading the documents of every article that merely holds its words. Computed from the
                // document's own positions, so it finds exactly what `document @@ 'a' <-> 'b'` finds; kept under a
                // tsvector's 1 MB of lexemes (a body of 80,000 distinct pairs of long words loses its last pairs;
                // positions past 16,383, where a tsvector stops counting, hold one word each here).
                """
                CREATE FUNCTION search_pairs(document TSVECTOR) RETURNS TSVECTOR
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                    SELECT COALESCE(array_to_tsvector(array_agg(s.pair)), CAST('' AS TSVECTOR)) FROM (
                        SELECT d.pair, SUM(octet_length(d.pair) + 4) OVER (ORDER BY d.first, d.pair) AS size FROM (
                            SELECT w.lexeme || ' ' || w.next AS pair, MIN(w.p) AS first FROM (
                                SELECT u.lexeme, p, lead(u.lexeme) OVER (ORDER BY p) AS next, lead(p) OVER (ORDER BY p) AS np
                                FROM unnest(document) AS u, unnest(u.positions) AS p) AS w
                            WHERE w.np = w.p + 1 GROUP BY 1) AS d) AS s
                    WHERE s.size < 1000000
                $$
                """,
                "CREATE INDEX article_search_pairs ON article_search USING GIN (search_pairs(document))",
                "ANALYZE article_search",
            ]),
        Migration(
            version: 27, name: "PostgreSQL checks a search candidate's visibility from an index",
            statements: [],
            postgresOnly: [
                // A search looks each of up to 1,001 candidates up for `ArticleRepository.visible`: from this index
                // alone (index-only, no heap page of the article) in about half the time of the primary key and the row.
                "CREATE INDEX articles_published ON articles (id) INCLUDE (published_at) WHERE status = 'published'"
            ]),
        Migration(
            version: 28, name: "SQLite checks a search candidate's visibility and filters from an index",
            statements: [],
            sqliteOnly: [
                // A search checks each of up to 1,001 candidates (`SearchRepository`, `INDEXED BY`): from the row,
                // that read `status` and `published_at` past the body's overflow pages (they follow `body_html`), 6.0
                // ms for 1,001 real-size articles; from this index, 0.3 ms.
                "CREATE INDEX articles_search_filter ON articles (id, status, published_at, section_id, created_by)"
            ]),
        Migration(
            version: 29, name: "SQLite keeps an article's words in the order of their key",
            statements: [],
            sqliteOnly: [
                // Without a rowid the table is its primary key's B-tree: an article's words and their counts are read
                // from one tree (the "Още:" vectors took a row look-up per word), the term index holds the article
                // itself (a word's articles, no row look-up), and each stored word writes two trees instead of three.
                """
                CREATE TABLE article_terms_keyed (
                    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                    term TEXT NOT NULL, tf INTEGER NOT NULL, PRIMARY KEY (article_id, term)) WITHOUT ROWID
                """,
                "INSERT INTO article_terms_keyed (article_id, term, tf) SELECT article_id, term, tf FROM article_terms ORDER BY article_id, term",
                "DROP TABLE article_terms",
                "ALTER TABLE article_terms_keyed RENAME TO article_terms",
                "CREATE INDEX article_terms_term ON article_terms (term)",
            ]),
        Migration(
            version: 30, name: "PostgreSQL keeps each term's postings packed by block of article ids",
            statements: [],
            postgresOnly: [
                // A search reads a term's newest postings as a few rows of packed ids and shares (`SearchPostings`)
                // and intersects the words in Swift: from `article_terms`, PostgreSQL spent 0.1-0.4 µs a posting.
                // Every write of `article_terms` re-packs the blocks it touched in its transaction.
                "CREATE TABLE search_postings (term TEXT NOT NULL, block BIGINT NOT NULL, postings BYTEA NOT NULL, PRIMARY KEY (term, block))",
                """
                INSERT INTO search_postings (term, block, postings)
                SELECT t.term, t.article_id / \(SearchPostings.blockSize), \(SearchPostings.packed)
                FROM article_terms t GROUP BY t.term, t.article_id / \(SearchPostings.blockSize)
                """,
                "ANALYZE search_postings",
            ]),
    ]
}
