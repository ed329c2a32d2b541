/// Three-way merge of two edits made from one common version, as two people saving the same article: what only one
/// side changed is taken from that side, what both changed the same way is taken once, and only a part that both
/// changed differently is a clash (the merge then keeps "mine" there, and says so).
public enum ThreeWayMerge {
    /// One value: a field of a form.
    public static func value<Value: Equatable>(base: Value, mine: Value, theirs: Value) -> (value: Value, clash: Bool) {
        if mine == base || mine == theirs { return (theirs, false) }
        if theirs == base { return (mine, false) }
        return (mine, true)
    }

    /// A list of lines (an article body, a block per line), merged chunk by chunk between the lines of `base` that
    /// both sides kept (diff3). Each side is aligned to the base by `LineDiff`, so the work is that of two diffs.
    public static func lines(base: [String], mine: [String], theirs: [String]) -> (lines: [String], clash: Bool) {
        if mine == base || mine == theirs { return (theirs, false) }
        if theirs == base { return (mine, false) }
        let inMine = matches(base, mine)
        let inTheirs = matches(base, theirs)
        var merged: [String] = []
        var clash = false
        // Chunks run from one stable line (kept by both sides) to the next; the end of all three is the last one.
        var b = 0
        var m = 0
        var t = 0
        var stable = 0
        while true {
            while stable < base.count, inMine[stable] == nil || inTheirs[stable] == nil { stable += 1 }
            let (bEnd, mEnd, tEnd) =
                stable < base.count ? (stable, inMine[stable]!, inTheirs[stable]!) : (base.count, mine.count, theirs.count)
            let chunk = (base: Array(base[b..<bEnd]), mine: Array(mine[m..<mEnd]), theirs: Array(theirs[t..<tEnd]))
            if chunk.mine == chunk.base || chunk.mine == chunk.theirs {
                merged += chunk.theirs
            } else if chunk.theirs == chunk.base {
                merged += chunk.mine
            } else {
                merged += chunk.mine
                clash = true
            }
            guard stable < base.count else { break }
            merged.append(base[stable])
            (b, m, t) = (stable + 1, mEnd + 1, tEnd + 1)
            stable += 1
        }
        return (merged, clash)
    }

    /// For each line of `base`, where the same line stands in `other` by their longest common subsequence (nil where
    /// `other` dropped or changed it).
    private static func matches(_ base: [String], _ other: [String]) -> [Int?] {
        var result = [Int?](repeating: nil, count: base.count)
        var i = 0
        var j = 0
        for line in LineDiff.lines(base, other) {
            switch line {
            case .same:
                result[i] = j
                i += 1
                j += 1
            case .deleted: i += 1
            case .inserted: j += 1
            }
        }
        return result
    }
}
