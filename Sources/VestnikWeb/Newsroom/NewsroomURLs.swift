/// Every newsroom URL, in one place.
public enum NewsroomURLs {
    public static let home = "/newsroom"
    public static let setup = "/newsroom/setup"
    public static let login = "/newsroom/login"
    public static let logout = "/newsroom/logout"
    public static let password = "/newsroom/password"
    public static let review = "/newsroom/review"
    public static let newArticle = "/newsroom/articles/new"
    public static func article(_ id: Int) -> String { "/newsroom/articles/\(id)" }
    public static func reset(_ token: String) -> String { "/newsroom/reset/\(token)" }
}
