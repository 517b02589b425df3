#if canImport(Glibc)
    import Glibc
#endif

/// What a path names, without Foundation's `ObjCBool` dance (FoundationEssentials lacks it).
enum FileKind {
    case missing, directory, other

    init(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            self = .missing
            return
        }
        self = (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .other
    }
}
