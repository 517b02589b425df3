#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Finds a program as `execvp` would, without running it: `name` itself when it holds a
/// slash, else the first match in the colon-separated `path` (`/usr/bin:/bin` when nil).
/// Only an executable regular file counts. Nil when there is none.
public func findExecutable(_ name: String, path: String?) -> String? {
    func isExecutable(_ candidate: String) -> Bool {
        var info = stat()
        return stat(candidate, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(candidate, X_OK) == 0
    }
    if name.contains("/") { return isExecutable(name) ? name : nil }
    for dir in (path ?? "/usr/bin:/bin").split(separator: ":") where !dir.isEmpty {
        let candidate = "\(dir)/\(name)"
        if isExecutable(candidate) { return candidate }
    }
    return nil
}
