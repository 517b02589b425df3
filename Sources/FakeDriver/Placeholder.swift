// Placeholder until this target gets its first real source file.
enum FakeDriverPlaceholder {}
