import Foundation
import NIOCore
import VestnikCore

/// The look of the site: Mustache templates (parsed once, here, by Vestnik's own engine: Template.swift), static
/// assets and locale files.
///
/// The default theme ships inside the binary's resources, so the site runs from any working folder. A theme folder
/// given at start-up overrides it file by file: `templates/*.mustache`, `static/*`, `locales/*.json`.
public struct Theme: Sendable {
    let templates: TemplateLibrary
    public let assets: StaticAssets
    public let localesFolder: URL
    private let overrideLocales: URL?
    /// The front pages' zones (`zones.json`): what an editor arranges on the home page and on a section's front.
    public let zones: FrontZones
    /// Whether the article template marks "Новините днес" for splicing (`<!--splice:today-->` … `<!--/splice:today-->`):
    /// only then may an article page leave the block empty for the page cache to splice in (`SharedFragment.willSplice`).
    let splicesToday: Bool

    /// Where the built-in theme lives.
    public static var builtInFolder: URL { assets.appendingPathComponent("themes/default") }

    public static var builtInLocales: URL { assets.appendingPathComponent("locales") }

    private static var assets: URL { Bundle.module.url(forResource: "Assets", withExtension: nil)! }

    public static func load(overrideFolder: URL? = nil) async throws -> Theme {
        if let overrideFolder, !FileManager.default.fileExists(atPath: overrideFolder.path) {
            throw ThemeError("the theme folder \(overrideFolder.path) does not exist")
        }
        var library = TemplateLibrary()
        var article = ""
        let builtInTemplates = builtInFolder.appendingPathComponent("templates")
        for file in try FileManager.default.contentsOfDirectory(atPath: builtInTemplates.path).sorted()
        where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: builtInTemplates.appendingPathComponent(file), encoding: .utf8)
            try library.add(text, named: String(file.dropLast(".mustache".count)), source: "\(file) (built in)")
            if file == "article.mustache" { article = text }
        }
        var assets = try StaticAssets.load(from: builtInFolder.appendingPathComponent("static"))
        var locales: URL?
        var zones = try zoneDeclaration(builtInFolder.appendingPathComponent("zones.json"))
        if let overrideFolder {
            let ownZones = overrideFolder.appendingPathComponent("zones.json")
            if FileManager.default.fileExists(atPath: ownZones.path) { zones = try zoneDeclaration(ownZones) }
            let templates = overrideFolder.appendingPathComponent("templates")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: templates.path)) ?? []
            for file in files.sorted() where file.hasSuffix(".mustache") {
                let text = try String(contentsOf: templates.appendingPathComponent(file), encoding: .utf8)
                try library.add(
                    text, named: String(file.dropLast(".mustache".count)),
                    source: templates.appendingPathComponent(file).path)
                if file == "article.mustache" { article = text }
            }
            let staticFolder = overrideFolder.appendingPathComponent("static")
            if FileManager.default.fileExists(atPath: staticFolder.path) {
                assets.merge(try StaticAssets.load(from: staticFolder))
            }
            let localeFolder = overrideFolder.appendingPathComponent("locales")
            if FileManager.default.fileExists(atPath: localeFolder.path) { locales = localeFolder }
        }
        let splices = article.contains("<!--splice:today-->") && article.contains("<!--/splice:today-->")
        return Theme(
            templates: library, assets: assets, localesFolder: builtInLocales, overrideLocales: locales, zones: zones,
            splicesToday: splices)
    }

    /// Reads a theme's `zones.json`, refusing one `FrontZones.problem` finds fault with (at most 64 KB).
    static func zoneDeclaration(_ file: URL) throws -> FrontZones {
        let data = try Data(contentsOf: file)
        guard data.count <= 65536 else { throw ThemeError("\(file.path) is larger than 64 KB") }
        let zones: FrontZones
        do {
            zones = try JSONDecoder().decode(FrontZones.self, from: data)
        } catch {
            throw ThemeError("\(file.path) is not a zone declaration: \(error)")
        }
        if let problem = zones.problem { throw ThemeError("\(file.path): \(problem)") }
        return zones
    }

    private init(
        templates: TemplateLibrary, assets: StaticAssets, localesFolder: URL, overrideLocales: URL?, zones: FrontZones,
        splicesToday: Bool
    ) {
        self.zones = zones
        self.splicesToday = splicesToday
        self.templates = templates
        self.assets = assets
        self.localesFolder = localesFolder
        self.overrideLocales = overrideLocales
    }

    /// The locale `code` (`bg`, `en`), from the theme folder when it has one.
    public func locale(_ code: String) throws -> SiteLocale {
        if let overrideLocales, FileManager.default.fileExists(atPath: overrideLocales.appendingPathComponent("\(code).json").path) {
            return try SiteLocale.load(code: code, from: overrideLocales)
        }
        return try SiteLocale.load(code: code, from: localesFolder)
    }

    /// Renders a page into the buffer that is sent: turning the rendered bytes into a `String` and back would check
    /// and copy a whole page for nothing. A missing template is a programming error in the theme, reported as such.
    func render(_ template: String, _ view: some TemplateFields) throws -> ByteBuffer {
        guard let bytes = templates.renderBytes(template, view.templateValue) else { throw Self.missing(template) }
        return bytes
    }

    private static func missing(_ template: String) -> ThemeError { ThemeError("the theme has no template named \(template)") }
}
