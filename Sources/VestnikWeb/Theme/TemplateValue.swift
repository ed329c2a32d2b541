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

/// A view model with named fields: `field` answers with a switch on the name's id and `.none` for a name that is not
/// one of its fields. Views declared in `.views` files get theirs generated (the ViewModels plugin), with `FieldID`.
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
/// Two integers and no string, so that passing a key retains nothing.
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
