import Foundation
import VestnikCore

/// A field of an article as the newsroom names it (the locale's `nr_field_<name>`).
public enum ArticleField: String, Sendable, CaseIterable {
    case kicker, title, slug, lead, body, section, topic, tags, authors, sources, media, featured, more
    case seoTitle, seoDescription, socialTitle, socialDescription, socialImage
    case status, publishedAt
}

/// Two people saved one article from the same revision: the second save keeps what the first changed in every field
/// the second did not touch, and in the body every paragraph only one of them changed (`ThreeWayMerge`). What both
/// changed differently is a clash; the merged draft keeps the second person's version there.
public enum ArticleMerge {
    public static func merge(
        base: ArticleInput, mine: ArticleInput, theirs: ArticleInput
    ) -> (
        merged: ArticleInput, clashes: [ArticleField]
    ) {
        var merged = theirs
        var clashes: [ArticleField] = []
        func take<Value: Equatable>(_ field: ArticleField, _ path: WritableKeyPath<ArticleInput, Value>) {
            let (value, clash) = ThreeWayMerge.value(base: base[keyPath: path], mine: mine[keyPath: path], theirs: theirs[keyPath: path])
            merged[keyPath: path] = value
            if clash { clashes.append(field) }
        }
        take(.kicker, \.kicker)
        take(.title, \.title)
        take(.slug, \.slug)
        take(.lead, \.lead)
        take(.section, \.section)
        take(.topic, \.topic)
        take(.tags, \.tags)
        take(.authors, \.authors)
        take(.sources, \.sources)
        take(.media, \.media)
        take(.featured, \.featuredImage)
        take(.more, \.more)
        take(.seoTitle, \.seoTitle)
        take(.seoDescription, \.seoDescription)
        take(.socialTitle, \.socialTitle)
        take(.socialDescription, \.socialDescription)
        take(.socialImage, \.socialImage)
        take(.status, \.status)
        // The publication time is the writer's choice only for a scheduled article; otherwise the write service sets
        // it (first publication) and the form's value means nothing.
        if merged.status == .scheduled { take(.publishedAt, \.publishedAt) }
        let whole = ThreeWayMerge.value(base: base.bodyHTML, mine: mine.bodyHTML, theirs: theirs.bodyHTML)
        if whole.clash {
            let body = ThreeWayMerge.lines(base: lines(base.bodyHTML), mine: lines(mine.bodyHTML), theirs: lines(theirs.bodyHTML))
            merged.bodyHTML = body.lines.joined(separator: "\n")
            if body.clash { clashes.append(.body) }
        } else {
            merged.bodyHTML = whole.value
        }
        clashes.sort { ArticleField.allCases.firstIndex(of: $0)! < ArticleField.allCases.firstIndex(of: $1)! }
        return (merged, clashes)
    }

    /// A stored body's blocks, one per line, as the editor's sanitiser writes them.
    private static func lines(_ html: String) -> [String] {
        ArticleBody.blocks(fromHTML: html).map(\.html)
    }
}
