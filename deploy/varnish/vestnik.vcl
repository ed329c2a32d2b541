# Varnish in front of Vestnik nodes: keeps public pages for their s-maxage and drops them by key the moment
# Vestnik sends `PURGE` with an `xkey-purge: a12 s3 …` header. Needs the xkey module (Debian: varnish-modules).
# Pages name their keys in the Surrogate-Key header; xkey reads them from `xkey`, copied below. Adjust the backends
# and the purgers ACL to your addresses.
#
# Purges are taken on a listen address of their own, named `purge`, that only the nodes talk to; readers (and nginx,
# which forwards them) come in on the other one:
#     varnishd -a 127.0.0.1:6081 -a purge=127.0.0.1:6091 -f vestnik.vcl …
# and start the nodes with --purge-url http://127.0.0.1:6091/. The address alone would not do: behind nginx on the
# same machine every reader comes from 127.0.0.1, so an ACL of 127.0.0.1 would let anyone on the internet purge.
vcl 4.1;

import directors;
import std;
import xkey;

backend node1 {
    .host = "127.0.0.1";
    .port = "8080";
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    .probe = { .url = "/robots.txt"; .interval = 2s; .timeout = 1s; .window = 3; .threshold = 2; }
}

# Add a backend per node (node2, node3, …) and list it in vcl_init.

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_init {
    new nodes = directors.round_robin();
    nodes.add_backend(node1);
}

sub vcl_recv {
    set req.backend_hint = nodes.backend();

    if (req.method == "PURGE") {
        if (local.socket != "purge" || client.ip !~ purgers) {
            return (synth(403, "Not allowed to purge"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the keys in an xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }

    # Readers need no other method (and BAN, or anything Varnish would pass on, is no reader's business).
    if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") {
        return (synth(405, "Method not allowed"));
    }
    # The newsroom, the API and searches are never shared.
    if (req.url ~ "^/newsroom" || req.url ~ "^/api/" || req.url ~ "^/(search|tarsene|%D1%82%D1%8A%D1%80%D1%81%D0%B5%D0%BD%D0%B5)") {
        return (pass);
    }
    # Public pages are the same for everyone: a session cookie must not make them private.
    unset req.http.Cookie;
    # Tracking parameters name the same page.
    set req.url = regsuball(req.url, "([?&])(utm_[a-z]+|fbclid|gclid)=[^&]*", "\1");
    set req.url = regsub(req.url, "[?&]+$", "");
    set req.url = regsub(req.url, "\?&+", "?");
    # While a node is healthy, serve a stale page only briefly (stale-while-revalidate); while none is, for as
    # long as the page is kept (stale-if-error).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 30s;
    }
    return (hash);
}

sub vcl_backend_response {
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Errors and redirects pass quickly: a story published a moment later must not meet a cached 404.
    if (beresp.status >= 300 && beresp.status != 304) {
        set beresp.ttl = 5s;
        set beresp.grace = 0s;
    }
    # Keep pages past their s-maxage for stale-if-error: served that old only while every node is down.
    if (beresp.status == 200) {
        set beresp.grace = 1d;
    }
}

sub vcl_backend_error {
    # No node answered and nothing stale to serve: say so briefly.
    set beresp.http.Retry-After = "5";
}

sub vcl_deliver {
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache-Varnish = "HIT";
    } else {
        set resp.http.X-Cache-Varnish = "MISS";
    }
}
