import Mustache

// Templates look up a view model's fields by name. By default swift-mustache does it with `Mirror`, which builds a
// boxed copy of every field of the struct for each `{{name}}` (and again for every level of the context stack it
// climbs): on an article page that was most of the rendering time. `MustacheParent` answers the lookup with a
// switch instead. Every stored field must be listed; `ViewLookupTests` checks each type against `Mirror`.

extension LayoutView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "lang": self.lang
        case "ogLocale": self.ogLocale
        case "siteName": self.siteName
        case "pageTitle": self.pageTitle
        case "description": self.description
        case "canonical": self.canonical
        case "cssURL": self.cssURL
        case "searchURL": self.searchURL
        case "nav": self.nav
        case "t": self.t
        case "year": self.year
        case "meta": self.meta
        case "feeds": self.feeds
        case "image": self.image
        case "jsonLD": self.jsonLD
        default: nil
        }
    }
}

extension FeedLink: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": self.title
        case "type": self.type
        case "url": self.url
        default: nil
        }
    }
}

extension Picture: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "url": self.url
        case "width": self.width
        case "height": self.height
        case "mediaType": self.mediaType
        case "length": self.length
        default: nil
        }
    }
}

extension NavLink: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "url": self.url
        case "current": self.current
        default: nil
        }
    }
}

extension ArticleMeta: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "author": self.author
        case "authorURLs": self.authorURLs
        case "section": self.section
        case "published": self.published
        case "modified": self.modified
        case "tags": self.tags
        default: nil
        }
    }
}

extension ArticleCard: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "url": self.url
        case "kicker": self.kicker
        case "title": self.title
        case "markers": self.markers
        case "lead": self.lead
        case "section": self.section
        case "sectionURL": self.sectionURL
        case "time": self.time
        case "dateLine": self.dateLine
        case "relative": self.relative
        case "datetime": self.datetime
        case "reads": self.reads
        default: nil
        }
    }
}

extension Pager: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "previousURL": self.previousURL
        case "nextURL": self.nextURL
        case "label": self.label
        default: nil
        }
    }
}

extension ListView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": self.layout
        case "heading": self.heading
        case "kind": self.kind
        case "subtitle": self.subtitle
        case "description": self.description
        case "pinned": self.pinned
        case "cards": self.cards
        case "days": self.days
        case "pager": self.pager
        case "empty": self.empty
        default: nil
        }
    }
}

extension DayGroup: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": self.label
        case "cards": self.cards
        default: nil
        }
    }
}

extension HomeView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": self.layout
        case "lead": self.lead
        case "latest": self.latest
        case "sections": self.sections
        case "today": self.today
        case "mostRead": self.mostRead
        default: nil
        }
    }
}

extension SectionBlock: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "url": self.url
        case "cards": self.cards
        default: nil
        }
    }
}

extension BylineView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "role": self.role
        case "url": self.url
        default: nil
        }
    }
}

extension TagLink: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "url": self.url
        default: nil
        }
    }
}

extension BodySegment: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "html": self.html
        case "more": self.more
        default: nil
        }
    }
}

extension MoreBlock: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "links": self.links
        default: nil
        }
    }
}

extension ArticleView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": self.layout
        case "sectionName": self.sectionName
        case "sectionURL": self.sectionURL
        case "kicker": self.kicker
        case "title": self.title
        case "markers": self.markers
        case "dateLine": self.dateLine
        case "datetime": self.datetime
        case "reads": self.reads
        case "lead": self.lead
        case "body": self.body
        case "sources": self.sources
        case "topicLink": self.topicLink
        case "tags": self.tags
        case "authors": self.authors
        case "today": self.today
        case "followURL": self.followURL
        case "mostRead": self.mostRead
        case "beacon": self.beacon
        default: nil
        }
    }
}

extension ErrorView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": self.layout
        case "status": self.status
        case "heading": self.heading
        case "message": self.message
        default: nil
        }
    }
}

extension MostReadView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "day": self.day
        case "week": self.week
        default: nil
        }
    }
}

extension MostReadItem: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "url": self.url
        case "kicker": self.kicker
        case "title": self.title
        case "markers": self.markers
        case "reads": self.reads
        default: nil
        }
    }
}

extension ReadBeaconView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "scriptURL": self.scriptURL
        case "beaconURL": self.beaconURL
        case "pixelURL": self.pixelURL
        default: nil
        }
    }
}
