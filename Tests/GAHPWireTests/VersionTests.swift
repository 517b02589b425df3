import Foundation
import GAHPWire
import Testing

/// The banner carries the day the binary was built (BuildDatePlugin), not one in the source.
@Suite struct VersionTests {
    @Test func bannerCarriesTheBuildDate() throws {
        #expect(GAHPVersion.banner == "$VMGahpVersion \(GAHPVersion.number) \(GAHPVersion.buildDate) Condor\\ VMGAHP $")
        let built = try #require(Self.day(GAHPVersion.buildDate), "'\(GAHPVersion.buildDate)' is not 'Mon D YYYY'")
        // This test binary links GAHPWire, so it was linked the day the stamp was written or
        // the next (a build across midnight); SOURCE_DATE_EPOCH would pin an older date.
        let attributes = try FileManager.default.attributesOfItem(atPath: "/proc/self/exe")
        let linked = try #require(attributes[.modificationDate] as? Date)
        if ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] == nil {
            #expect(built <= linked && linked.timeIntervalSince(built) < 2 * 86_400, "built \(built), linked \(linked)")
        }
    }

    /// `Dec 1 2026` as midnight UTC of that day.
    static func day(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MMM d yyyy"
        guard text.wholeMatch(of: /[A-Z][a-z]{2} [1-9][0-9]? [0-9]{4}/) != nil else { return nil }
        return formatter.date(from: text)
    }
}
