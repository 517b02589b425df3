import GAHPWire
import Testing

@Suite struct ResultLineTests {
    @Test func emptyValueIsNULL() {
        #expect(ResultLine(requestID: 14, succeeded: true, value: "").text == "14 0 NULL")
    }

    @Test func failureCarriesOneEscapedField() {
        let line = ResultLine(requestID: 20, succeeded: false, value: "(ERROR) Can't create vm")
        #expect(line.text == "20 1 (ERROR)\\ Can't\\ create\\ vm")
        #expect(GAHPArguments.split(line.text).count == 3)
    }

    @Test func statusFieldsStaySeparate() {
        let line = ResultLine(requestID: 4, fields: ["STATUS=Running", "CPUTIME=1.000000"])
        #expect(line.text == "4 0 STATUS=Running CPUTIME=1.000000")
    }

    @Test func noLineReachesTenKiB() {
        let huge = String(repeating: "x y\\", count: 1_000_000)
        let failure = ResultLine(requestID: Int.max, succeeded: false, value: huge)
        #expect(failure.text.utf8.count + 1 < WireLimits.maxReplyLineBytes)
        #expect(GAHPArguments.split(failure.text).count == 3)
        let status = ResultLine(requestID: Int.max, fields: Array(repeating: "K=" + String(repeating: "v", count: 3000), count: 10))
        #expect(status.text.utf8.count + 1 < WireLimits.maxReplyLineBytes)
    }

    @Test func bannerHasTheShapeTheStarterReads() {
        #expect(GAHPVersion.banner.hasPrefix("$VMGahpVersion "))
        #expect(GAHPVersion.banner.hasSuffix(" $"))
        #expect(GAHPVersion.banner.utf8.count < 360)
    }
}
