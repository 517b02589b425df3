import ClassAd

/// Evaluates one expression on its own (in an empty ad), failing the test on a parse error.
func value(_ expression: String, in ad: ClassAd = ClassAd()) throws -> ClassAdValue {
    try ad.evaluate(expression: expression)
}

/// `Name = expr` parsed and unparsed again.
func unparsed(_ line: String) -> String? {
    let (ad, errors) = ClassAd.parse(lines: [line])
    guard errors.isEmpty, let name = ad.attributeNames.first else { return nil }
    return ad.unparsedOld(name)
}

/// Whether the line is refused.
func rejects(_ line: String) -> Bool {
    let (ad, errors) = ClassAd.parse(lines: [line])
    return errors.count == 1 && ad.attributeNames.isEmpty
}
