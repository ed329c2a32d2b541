import Foundation

// What templates see of a view model. swift-mustache took `Any` and found out what it was with `as?` casts to
// protocols on every lookup (a fifth of an article page's CPU); here a view answers a field by name with a
// `TemplateValue`, whose case already says how a tag treats it, so rendering needs no cast at all.

/// A value as a template sees it.
///
/// Truthiness follows swift-mustache 2.1.1, on which the pages were written: a section renders for any text (the
/// empty string and "0" too), for `true`, for a non-empty list and for an object; it renders nothing for `.none`,
/// `false` and an empty list. A field that is nil answers `.none`, and `.none` means "not here": the lookup climbs on
/// to the next context, as swift-mustache did for a nil field.
enum TemplateValue {
    case none
    case bool(Bool)
    /// Strings, and numbers as `String(describing:)` writes them; escaped by `{{x}}`, as they are by `{{{x}}}`.
    case text(String)
    /// HTML as UTF-8 bytes, written as they are (an article body's block; see `Article.bodyUTF8`): `{{x}}` escapes
    /// the bytes as it escapes the string they spell. Truthy, as any text.
    case html(ArraySlice<UInt8>)
    /// An array held as it is: items are converted one at a time while a section walks them, never copied into boxes
    /// up front.
    case list(TemplateList)
    case object(any TemplateFields)

    var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}

/// A type whose values templates can show.
protocol TemplateRepresentable {
    var templateValue: TemplateValue { get }
}

/// A view model with named fields: `field` answers with a switch on the name's id (see Views+TemplateFields.swift)
/// and `.none` for a name that is not one of its fields.
///
/// Class-bound: an `.object` is then one reference, and copying a `TemplateValue` (each lookup returns one, each
/// section pushes one) is a retain, where an existential that a struct could fill was copied through its value
/// witnesses (`initializeWithCopy`, `destroy`) and boxed when the struct did not fit inline.
protocol TemplateFields: AnyObject, TemplateRepresentable {
    func field(_ key: FieldKey) -> TemplateValue
}

extension TemplateFields {
    /// A lookup by name, interned on the spot (tests and code outside templates).
    func field(_ name: String) -> TemplateValue { field(FieldKey(name)) }
}

/// A field name of a template tag, interned when the template is parsed, so that a view answers with a switch on a
/// small integer (a jump table) rather than comparing strings, and a miss while climbing the stack costs little.
/// Two integers and no string, so that passing a key retains nothing; `name` is for what has no switch (views read
/// through `Mirror`).
struct FieldKey: Sendable, Equatable {
    let id: FieldID
    /// The name's number in `FieldNames`: the locale strings answer by it, hashing no string per lookup.
    let symbol: Int

    init(_ name: String) {
        id = FieldID(rawValue: name) ?? .other
        symbol = FieldNames.shared.symbol(name)
    }

    var name: String { FieldNames.shared.name(symbol) }
}

/// Every name interned so far, numbered from 0 in the order first seen: the same name always has the same number.
/// Names come from templates as they are parsed and from the locale files as they are loaded, so the table stays
/// small.
final class FieldNames: @unchecked Sendable {
    static let shared = FieldNames()

    private let lock = NSLock()
    private var symbols: [String: Int] = [:]
    private var names: [String] = []

    func symbol(_ name: String) -> Int {
        lock.withLock {
            if let symbol = symbols[name] { return symbol }
            let symbol = names.count
            symbols[name] = symbol
            names.append(name)
            return symbol
        }
    }

    func name(_ symbol: Int) -> String { lock.withLock { names[symbol] } }
}

/// Every name a public view answers to (Views+TemplateFields.swift); `.other` for any other name.
enum FieldID: String, Sendable {
    case alt, author, authorURLs, authors, beacon, beaconURL, body, canonical, caption, card, cards, credit, cssURL
    case current, datetime, dateLine, day, days, description, empty, featured, feeds, firstPageURL, followURL, from
    case hasCaption, heading, height, html, image, jsonLD, kicker, kind, label, lang, latest, layout, lead, length
    case links, markers, message, meta, mediaType, modified, more, mostRead, name, nav, nextURL, ogLocale, pageTitle
    case pager, photo, pinned, pixelURL, previousURL, published, query, reads, relative, results, role, scriptURL
    case searchURL, section, sectionName, sections, sectionURL, selected, siteName, slug, snippet, sources, src
    case status, subtitle, suggestion, summary, t, tags, time, title, to, today, topicLink, type, url, week, width, year
    /// Not a field of any public view; `FieldKey.name` says which.
    case other = " other"
}

extension TemplateFields {
    var templateValue: TemplateValue { .object(self) }
}

/// What a section iterates: a view's array as it is, with no existential around it, so that copying a
/// `TemplateValue` that holds a list is one retain (with an `any` list, every copy and destroy of a `TemplateValue` went
/// through value witnesses) and an item of a list of views is one retain too.
struct TemplateList {
    private enum Items {
        /// An array of views, read as `[AnyObject]`, and the views' type, to give each item back as an object.
        case objects([AnyObject], any TemplateFields.Type)
        case texts([String])
        case values([TemplateValue])
    }

    private let items: Items

    /// An array of views: an `Array` of a class type is laid out as an `[AnyObject]` (one reference to a buffer of
    /// references, which the buffer's own type releases), so it is held as one with no copy; only `item` reads it.
    init<Item: TemplateFields>(_ items: [Item]) {
        self.items = .objects(unsafeBitCast(items, to: [AnyObject].self), Item.self)
    }

    init(_ items: [String]) { self.items = .texts(items) }

    init(_ items: [TemplateValue]) { self.items = .values(items) }

    /// Any other array: its items converted now (views' arrays take the initialisers above).
    init<Item: TemplateRepresentable>(converting items: [Item]) {
        if let type = Item.self as? any TemplateFields.Type {
            self.items = .objects(items.map { $0 as AnyObject }, type)
        } else if let texts = items as? [String] {
            self.items = .texts(texts)
        } else {
            self.items = .values(items.map(\.templateValue))
        }
    }

    var count: Int {
        switch items {
        case .objects(let objects, _): objects.count
        case .texts(let texts): texts.count
        case .values(let values): values.count
        }
    }

    func item(_ index: Int) -> TemplateValue {
        switch items {
        case .objects(let objects, let type): Self.object(objects[index], as: type)
        case .texts(let texts): .text(texts[index])
        case .values(let values): values[index]
        }
    }

    /// The item `index` of a list of objects, not retained (the list holds it), with its type; nil in other lists.
    func unretainedObject(_ index: Int) -> (object: Unmanaged<AnyObject>, type: any TemplateFields.Type)? {
        guard case .objects(let objects, let type) = items else { return nil }
        return (Unmanaged.passUnretained(objects[index]), type)
    }

    private static func object<Item: TemplateFields>(_ object: AnyObject, as _: Item.Type) -> TemplateValue {
        .object(unsafeDowncast(object, to: Item.self))
    }
}

extension TemplateValue: TemplateRepresentable {
    var templateValue: TemplateValue { self }
}

extension String: TemplateRepresentable {
    var templateValue: TemplateValue { .text(self) }
}

extension ArraySlice: TemplateRepresentable where Element == UInt8 {
    var templateValue: TemplateValue { .html(self) }
}

extension Int: TemplateRepresentable {
    var templateValue: TemplateValue { .text(String(self)) }
}

extension Bool: TemplateRepresentable {
    var templateValue: TemplateValue { .bool(self) }
}

extension Optional: TemplateRepresentable where Wrapped: TemplateRepresentable {
    var templateValue: TemplateValue { self?.templateValue ?? .none }
}

extension Array: TemplateRepresentable where Element: TemplateRepresentable {
    /// Reached only where the element type is not known (an optional array); the views' switches know it and take
    /// the overloads below.
    var templateValue: TemplateValue { .list(TemplateList(converting: self)) }
}

extension Array where Element: TemplateFields {
    var templateValue: TemplateValue { .list(TemplateList(self)) }
}

extension Array where Element == String {
    var templateValue: TemplateValue { .list(TemplateList(self)) }
}

/// Views that have no switch (the newsroom, media, structure and read-statistics pages) are read through `Mirror`,
/// as swift-mustache read every view. Those pages are few and never cached, so the cost does not matter there; the
/// public pages' views all have switches, and `ViewLookupTests` checks that they agree with this reading.
enum ReflectedValue {
    /// `value` as swift-mustache saw it: one level of Optional taken off, then by kind.
    static func of(_ value: Any) -> TemplateValue {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return .none }
            return of(wrapped)
        }
        if let known = value as? any TemplateRepresentable { return known.templateValue }
        switch mirror.displayStyle {
        case .collection, .set: return .list(TemplateList(mirror.children.map { of($0.value) }))
        case .struct, .class: return .object(ReflectedFields(value: value))
        case .dictionary:
            if let dictionary = value as? [String: Any] { return .object(ReflectedDictionary(values: dictionary)) }
            return .text(String(describing: value))
        default: return .text(String(describing: value))
        }
    }
}

final class ReflectedFields: TemplateFields {
    let value: Any

    init(value: Any) { self.value = value }

    func field(_ key: FieldKey) -> TemplateValue {
        let name = key.name
        guard let child = Mirror(reflecting: value).children.first(where: { $0.label == name }) else { return .none }
        return ReflectedValue.of(child.value)
    }
}

final class ReflectedDictionary: TemplateFields {
    let values: [String: Any]

    init(values: [String: Any]) { self.values = values }

    func field(_ key: FieldKey) -> TemplateValue { values[key.name].map(ReflectedValue.of) ?? .none }
}
