/// What happened to one line between two versions of a text.
public enum DiffLine: Sendable, Equatable {
    case same(String)
    case inserted(String)
    case deleted(String)
}

/// A line diff (longest common subsequence) for the revision page: an editor sees which paragraphs of the title,
/// lead and body changed since the revision before, not two whole texts to compare by eye.
///
/// Lines are compared whole, so an edited paragraph shows as its old version deleted and its new version inserted.
/// The common head and tail are taken off first, so the quadratic table covers only the changed middle (an article
/// is tens of paragraphs; a pathological pair is capped by `maxCells` and falls back to "all deleted, all inserted").
/// Each distinct line is numbered once (a hash of its text), so a cell of the table is one integer comparison however
/// long the lines are: the work is the bytes of both texts plus at most `maxCells` steps.
public enum LineDiff {
    /// The largest LCS table built (changed lines before × changed lines after): 2,000 × 2,000 paragraphs, 16 MB of
    /// 32-bit lengths and a few milliseconds; two 1 MB bodies of short paragraphs go past it and fall back.
    public static let maxCells = 4_000_000

    public static func lines(_ old: [String], _ new: [String]) -> [DiffLine] {
        var head = 0
        while head < old.count, head < new.count, old[head] == new[head] { head += 1 }
        var tail = 0
        while tail < old.count - head, tail < new.count - head, old[old.count - 1 - tail] == new[new.count - 1 - tail] { tail += 1 }
        let a = Array(old[head..<(old.count - tail)])
        let b = Array(new[head..<(new.count - tail)])
        var result = old[..<head].map(DiffLine.same)
        result += middle(a, b)
        result += old[(old.count - tail)...].map(DiffLine.same)
        return result
    }

    /// The diff of two lists that share no head or tail.
    private static func middle(_ a: [String], _ b: [String]) -> [DiffLine] {
        if a.isEmpty || b.isEmpty || a.count * b.count > maxCells { return a.map(DiffLine.deleted) + b.map(DiffLine.inserted) }
        // Every distinct line a number, so the table compares integers, not texts.
        var numbers: [String: Int32] = [:]
        func number(_ line: String) -> Int32 {
            if let known = numbers[line] { return known }
            let next = Int32(numbers.count)
            numbers[line] = next
            return next
        }
        let x = a.map(number)
        let y = b.map(number)
        // lcs[i][j]: the length of the longest common subsequence of a[i...] and b[j...].
        let width = y.count + 1
        var lcs = [Int32](repeating: 0, count: (x.count + 1) * width)
        for i in stride(from: x.count - 1, through: 0, by: -1) {
            for j in stride(from: y.count - 1, through: 0, by: -1) {
                lcs[i * width + j] = x[i] == y[j] ? lcs[(i + 1) * width + j + 1] + 1 : max(lcs[(i + 1) * width + j], lcs[i * width + j + 1])
            }
        }
        var result: [DiffLine] = []
        var i = 0
        var j = 0
        while i < x.count, j < y.count {
            if x[i] == y[j] {
                result.append(.same(a[i]))
                i += 1
                j += 1
            } else if lcs[(i + 1) * width + j] >= lcs[i * width + j + 1] {
                result.append(.deleted(a[i]))
                i += 1
            } else {
                result.append(.inserted(b[j]))
                j += 1
            }
        }
        result += a[i...].map(DiffLine.deleted)
        result += b[j...].map(DiffLine.inserted)
        return result
    }
}
