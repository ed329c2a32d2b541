import Foundation
/// Where the demo content files are, inside the package resources.
public enum DemoContent {
    public static var directory: URL { Bundle.module.url(forResource: "demo", withExtension: nil)! }
}
