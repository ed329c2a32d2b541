import Foundation
import VestnikCore
import VestnikStore

/// What changed in the words of an article from one revision to the next: the title (with its kicker), the lead,
/// the body and the search and share card words and picture, each as lines (the body a line per paragraph, heading, quote or list, as plain text), diffed by
/// `LineDiff`. Fields that did not change are left out.
enum RevisionDiff {
    static func fields(from old: ArticleInput, to new: ArticleInput, locale: SiteLocale) -> [DiffFieldView] {
        let pairs: [(String, [String], [String])] = [
            ("nr_field_title", titleLines(old), titleLines(new)),
            ("nr_field_lead", lines(old.lead), lines(new.lead)),
            ("nr_field_body", bodyLines(old.bodyHTML), bodyLines(new.bodyHTML)),
            ("nr_field_seo_title", lines(old.seoTitle ?? ""), lines(new.seoTitle ?? "")),
            ("nr_field_seo_description", lines(old.seoDescription ?? ""), lines(new.seoDescription ?? "")),
            ("nr_field_social_title", lines(old.socialTitle ?? ""), lines(new.socialTitle ?? "")),
            ("nr_field_social_description", lines(old.socialDescription ?? ""), lines(new.socialDescription ?? "")),
            ("nr_field_social_image", lines(old.socialImage ?? ""), lines(new.socialImage ?? "")),
        ]
        return pairs.compactMap { key, before, after in
            guard before != after else { return nil }
            return DiffFieldView(
                label: locale[key],
                lines: LineDiff.lines(before, after).map { line in
                    switch line {
                    case .same(let text): return DiffLineView(text: text, inserted: false, deleted: false, same: true)
                    case .inserted(let text): return DiffLineView(text: text, inserted: true, deleted: false, same: false)
                    case .deleted(let text): return DiffLineView(text: text, inserted: false, deleted: true, same: false)
                    }
                })
        }
    }

    static func titleLines(_ input: ArticleInput) -> [String] {
        (input.kicker.isEmpty ? [] : [input.kicker + ":"]) + lines(input.title)
    }

    static func bodyLines(_ html: String) -> [String] {
        ArticleBody.blocks(fromHTML: html).map { ArticleBody.plainText($0.html) }.filter { !$0.isEmpty }
    }

    static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
