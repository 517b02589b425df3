/// Small string helpers, so the driver needs FoundationEssentials only (the full
/// Foundation adds start-up time to every gahp process).
extension String {
    /// Without leading and trailing blanks and line ends.
    var trimmed: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }

    /// `self` as a directory with `name` inside it.
    func appendingPath(_ name: String) -> String {
        hasSuffix("/") ? self + name : self + "/" + name
    }
}
