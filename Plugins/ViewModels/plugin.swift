import Foundation
import PackagePlugin

/// Generates the view models of a target from its `.views` files (see Plugins/ViewModelGenerator/main.swift): one
/// command over all of them, because the `FieldID` enum it writes is the union of every view's fields.
@main
struct ViewModels: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let inputs = target.sourceFiles(withSuffix: "views").map(\.url).sorted { $0.path < $1.path }
        guard !inputs.isEmpty else { return [] }
        let bases = inputs.map { $0.deletingPathExtension().lastPathComponent }
        if Set(bases).count != bases.count {
            throw PluginError("two .views files of \(target.name) have the same name: \(bases.sorted())")
        }
        let folder = context.pluginWorkDirectoryURL.appending(path: "Generated")
        return [
            .buildCommand(
                displayName: "Generating the view models of \(target.name)",
                executable: try context.tool(named: "ViewModelGenerator").url,
                arguments: [folder.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: bases.map { folder.appending(path: "\($0)+Views.swift") } + [folder.appending(path: "FieldIDs.swift")]
            )
        ]
    }
}

struct PluginError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
