import Foundation

/// A person who signs in to the newsroom. `role` is a permission, not the public byline title.
public struct NewsroomUser: Sendable, Equatable {
    public var id: Int
    public var email: String
    public var name: String
    public var role: Role

    public init(id: Int, email: String, name: String, role: Role) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
    }
}
