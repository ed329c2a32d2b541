import Foundation

// Templates look up a view model's fields by name, and each public view answers with a switch: no `Mirror` (which
// boxed a copy of every field for each lookup) and no casts (the value says what it is; see TemplateValue.swift).
// A name a switch does not list answers `.none` and the lookup climbs on, so a field missing here renders as
// nothing: `ViewLookupTests` checks every field of every view below against what `Mirror` reads (`ArticleCard`, whose
// fields are computed, against the values it is made from).

extension LayoutView: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .lang: self.lang.templateValue
        case .ogLocale: self.ogLocale.templateValue
        case .siteName: self.siteName.templateValue
        case .pageTitle: self.pageTitle.templateValue
        case .description: self.description.templateValue
        case .canonical: self.canonical.templateValue
        case .cssURL: self.cssURL.templateValue
        case .searchURL: self.searchURL.templateValue
        case .nav: self.nav.templateValue
        case .t: self.t.templateValue
        case .year: self.year.templateValue
        case .meta: self.meta.templateValue
        case .feeds: self.feeds.templateValue
        case .image: self.image.templateValue
        case .jsonLD: self.jsonLD.templateValue
        default: .none
        }
    }
}

extension FeedLink: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .title: self.title.templateValue
        case .type: self.type.templateValue
        case .url: self.url.templateValue
        default: .none
        }
    }
}

extension Picture: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .url: self.url.templateValue
        case .width: self.width.templateValue
        case .height: self.height.templateValue
        case .mediaType: self.mediaType.templateValue
        case .length: self.length.templateValue
        default: .none
        }
    }
}

extension NavLink: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .name: self.name.templateValue
        case .url: self.url.templateValue
        case .current: self.current.templateValue
        default: .none
        }
    }
}

extension ArticleMeta: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .author: self.author.templateValue
        case .authorURLs: self.authorURLs.templateValue
        case .section: self.section.templateValue
        case .published: self.published.templateValue
        case .modified: self.modified.templateValue
        case .tags: self.tags.templateValue
        default: .none
        }
    }
}

extension ArticleCard: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .url: self.url.templateValue
        case .kicker: self.kicker.templateValue
        case .title: summary.title.templateValue
        case .markers: self.markers.templateValue
        case .lead: summary.lead.templateValue
        case .section: summary.sectionName.templateValue
        case .sectionURL: self.sectionURL.templateValue
        case .time: self.time.templateValue
        case .dateLine: self.dateLine.templateValue
        case .relative: self.relative.templateValue
        case .datetime: self.datetime.templateValue
        case .reads: self.reads.templateValue
        default: .none
        }
    }
}

extension Pager: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .previousURL: self.previousURL.templateValue
        case .nextURL: self.nextURL.templateValue
        case .label: self.label.templateValue
        default: .none
        }
    }
}

extension ListView: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .layout: self.layout.templateValue
        case .heading: self.heading.templateValue
        case .kind: self.kind.templateValue
        case .subtitle: self.subtitle.templateValue
        case .photo: self.photo.templateValue
        case .description: self.description.templateValue
        case .pinned: self.pinned.templateValue
        case .cards: self.cards.templateValue
        case .days: self.days.templateValue
        case .pager: self.pager.templateValue
        case .empty: self.empty.templateValue
        default: .none
        }
    }
}

extension DayGroup: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .label: self.label.templateValue
        case .cards: self.cards.templateValue
        default: .none
        }
    }
}

extension HomeView: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .layout: self.layout.templateValue
        case .lead: self.lead.templateValue
        case .latest: self.latest.templateValue
        case .sections: self.sections.templateValue
        case .today: self.today.templateValue
        case .mostRead: self.mostRead.templateValue
        default: .none
        }
    }
}

extension SectionBlock: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .name: self.name.templateValue
        case .url: self.url.templateValue
        case .cards: self.cards.templateValue
        default: .none
        }
    }
}

extension BylineView: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .name: self.name.templateValue
        case .role: self.role.templateValue
        case .url: self.url.templateValue
        case .photo: self.photo.templateValue
        default: .none
        }
    }
}

extension TagLink: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .name: self.name.templateValue
        case .url: self.url.templateValue
        default: .none
        }
    }
}

extension BodySegment: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .html: self.html.templateValue
        case .more: self.more.templateValue
        default: .none
        }
    }
}

extension MoreBlock: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .links: self.links.templateValue
        default: .none
        }
    }
}

extension ArticleView: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .layout: self.layout.templateValue
        case .sectionName: self.sectionName.templateValue
        case .sectionURL: self.sectionURL.templateValue
        case .kicker: self.kicker.templateValue
        case .title: self.title.templateValue
        case .markers: self.markers.templateValue
        case .dateLine: self.dateLine.templateValue
        case .datetime: self.datetime.templateValue
        case .reads: self.reads.templateValue
        case .lead: self.lead.templateValue
        case .featured: self.featured.templateValue
        case .body: self.body.templateValue
        case .sources: self.sources.templateValue
        case .topicLink: self.topicLink.templateValue
        case .tags: self.tags.templateValue
        case .authors: self.authors.templateValue
        case .today: self.today.templateValue
        case .followURL: self.followURL.templateValue
        case .mostRead: self.mostRead.templateValue
        case .beacon: self.beacon.templateValue
        default: .none
        }
    }
}

extension FeaturedFigureView: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .src: self.src.templateValue
        case .alt: self.alt.templateValue
        case .width: self.width.templateValue
        case .height: self.height.templateValue
        case .caption: self.caption.templateValue
        case .credit: self.credit.templateValue
        case .hasCaption: self.hasCaption.templateValue
        default: .none
        }
    }
}

extension ErrorView: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .layout: self.layout.templateValue
        case .status: self.status.templateValue
        case .heading: self.heading.templateValue
        case .message: self.message.templateValue
        default: .none
        }
    }
}

extension MostReadView: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .day: self.day.templateValue
        case .week: self.week.templateValue
        default: .none
        }
    }
}

extension MostReadItem: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .url: self.url.templateValue
        case .kicker: self.kicker.templateValue
        case .title: self.title.templateValue
        case .markers: self.markers.templateValue
        case .reads: self.reads.templateValue
        default: .none
        }
    }
}

extension ReadBeaconView: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .scriptURL: self.scriptURL.templateValue
        case .beaconURL: self.beaconURL.templateValue
        case .pixelURL: self.pixelURL.templateValue
        default: .none
        }
    }
}

extension SearchView: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .layout: self.layout.templateValue
        case .query: self.query.templateValue
        case .from: self.from.templateValue
        case .to: self.to.templateValue
        case .sections: self.sections.templateValue
        case .author: self.author.templateValue
        case .message: self.message.templateValue
        case .summary: self.summary.templateValue
        case .results: self.results.templateValue
        case .pager: self.pager.templateValue
        case .firstPageURL: self.firstPageURL.templateValue
        case .suggestion: self.suggestion.templateValue
        default: .none
        }
    }
}

extension SearchSuggestionView: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .label: self.label.templateValue
        case .url: self.url.templateValue
        default: .none
        }
    }
}

extension SectionOption: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .slug: self.slug.templateValue
        case .name: self.name.templateValue
        case .selected: self.selected.templateValue
        default: .none
        }
    }
}

extension SearchResultView: TemplateFields {
    func field(_ key: FieldKey) -> TemplateValue {
        switch key.id {
        case .card: self.card.templateValue
        case .snippet: self.snippet.templateValue
        default: .none
        }
    }
}
