import Foundation
import Mustache

// Templates look up a view model's fields by name. By default swift-mustache does it with `Mirror`, which builds a
// boxed copy of every field of the struct for each `{{name}}` (and again for every level of the context stack it
// climbs): on an article page that was a third of the CPU. `MustacheParent` answers the lookup with a switch
// instead. A field missing from a switch still renders, through `ViewFields.fallback` (Mirror, as before), and
// `ViewLookupTests` fails until it is added.

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
        default: ViewFields.fallback(self, name)
        }
    }
}

extension FeedLink: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": self.title
        case "type": self.type
        case "url": self.url
        default: ViewFields.fallback(self, name)
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
        default: ViewFields.fallback(self, name)
        }
    }
}

extension NavLink: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "url": self.url
        case "current": self.current
        default: ViewFields.fallback(self, name)
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
        default: ViewFields.fallback(self, name)
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
        default: ViewFields.fallback(self, name)
        }
    }
}

extension Pager: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "previousURL": self.previousURL
        case "nextURL": self.nextURL
        case "label": self.label
        default: ViewFields.fallback(self, name)
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
        case "photo": self.photo
        case "description": self.description
        case "pinned": self.pinned
        case "cards": self.cards
        case "days": self.days
        case "pager": self.pager
        case "empty": self.empty
        default: ViewFields.fallback(self, name)
        }
    }
}

extension DayGroup: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": self.label
        case "cards": self.cards
        default: ViewFields.fallback(self, name)
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
        default: ViewFields.fallback(self, name)
        }
    }
}

extension SectionBlock: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "url": self.url
        case "cards": self.cards
        default: ViewFields.fallback(self, name)
        }
    }
}

extension BylineView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "role": self.role
        case "url": self.url
        case "photo": self.photo
        default: ViewFields.fallback(self, name)
        }
    }
}

extension TagLink: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "url": self.url
        default: ViewFields.fallback(self, name)
        }
    }
}

extension BodySegment: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "html": self.html
        case "more": self.more
        default: ViewFields.fallback(self, name)
        }
    }
}

extension MoreBlock: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "links": self.links
        default: ViewFields.fallback(self, name)
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
        case "featured": self.featured
        case "body": self.body
        case "sources": self.sources
        case "topicLink": self.topicLink
        case "tags": self.tags
        case "authors": self.authors
        case "today": self.today
        case "followURL": self.followURL
        case "mostRead": self.mostRead
        case "beacon": self.beacon
        default: ViewFields.fallback(self, name)
        }
    }
}

extension FeaturedFigureView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "src": self.src
        case "alt": self.alt
        case "width": self.width
        case "height": self.height
        case "caption": self.caption
        case "credit": self.credit
        case "hasCaption": self.hasCaption
        default: ViewFields.fallback(self, name)
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
        default: ViewFields.fallback(self, name)
        }
    }
}

extension MostReadView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "day": self.day
        case "week": self.week
        default: ViewFields.fallback(self, name)
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
        default: ViewFields.fallback(self, name)
        }
    }
}

extension ReadBeaconView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "scriptURL": self.scriptURL
        case "beaconURL": self.beaconURL
        case "pixelURL": self.pixelURL
        default: ViewFields.fallback(self, name)
        }
    }
}

/// What a view's switch does not list: nothing for a name that is no field of the type (the template looks further
/// down the context stack), the field through `Mirror` for a field the switch forgot.
enum ViewFields {
    /// Fields answered through `Mirror` because a switch lacks them; `ViewLookupTests` expects none.
    static var forgotten: Int { state.withLock { $0.forgotten } }

    static func fallback(_ value: Any, _ name: String) -> Any? {
        let type = ObjectIdentifier(Swift.type(of: value))
        var labels = state.withLock { $0.labels[type] }
        if labels == nil {
            let found = Set(Mirror(reflecting: value).children.compactMap(\.label))
            state.withLock { $0.labels[type] = found }
            labels = found
        }
        guard labels?.contains(name) == true,
            let field = Mirror(reflecting: value).children.first(where: { $0.label == name })
        else { return nil }
        state.withLock { $0.forgotten += 1 }
        let mirror = Mirror(reflecting: field.value)
        guard mirror.displayStyle == .optional else { return field.value }
        return mirror.children.first?.value
    }

    private struct State {
        var labels: [ObjectIdentifier: Set<String>] = [:]
        var forgotten = 0
    }

    private static let state = LockedState()

    private final class LockedState: @unchecked Sendable {
        private let lock = NSLock()
        private var value = State()
        func withLock<T>(_ body: (inout State) -> T) -> T { lock.withLock { body(&value) } }
    }
}
