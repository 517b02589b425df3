// Shared helpers for tests.
enum TestSupportPlaceholder {}
